import Dispatch
import Foundation
import StewardTesting

// `steward-console [--port 3000] [--token-env NAME]`: the in-repo console double — the deployment API
// the Aureus DevOps guide documents (versions, deployments, smoke tests, promote, rollback, health)
// plus DESIGN §5's runtime-adapter routes, nothing else — on 127.0.0.1, kept in memory, until SIGINT
// or SIGTERM ends the process. For trying the http driver and examples/aureus by hand; tests start it in-process.

var port = 3000
var tokenVariable = "AUREUS_CONSOLE_TOKEN"
var arguments = CommandLine.arguments.dropFirst()
while let option = arguments.popFirst() {
    switch option {
    case "--port":
        guard let value = arguments.popFirst().flatMap(Int.init), (0...65_535).contains(value) else {
            FileHandle.standardError.write(Data("steward-console: --port takes a port number\n".utf8))
            exit(64)
        }
        port = value
    case "--token-env":
        guard let value = arguments.popFirst() else {
            FileHandle.standardError.write(Data("steward-console: --token-env takes a variable name\n".utf8))
            exit(64)
        }
        tokenVariable = value
    default:
        FileHandle.standardError.write(Data("usage: steward-console [--port 3000] [--token-env AUREUS_CONSOLE_TOKEN]\n".utf8))
        exit(64)
    }
}
let token = ProcessInfo.processInfo.environment[tokenVariable].flatMap { $0.isEmpty ? nil : $0 }
let console = try await ConsoleServer.start(token: token, port: port)
FileHandle.standardOutput.write(Data("console on \(console.baseURL) (\(token == nil ? "no token" : "bearer token from $\(tokenVariable)")); Ctrl-C stops it\n".utf8))
// Runs until SIGINT or SIGTERM ends the process (everything it holds is in memory).
while true { try await Task.sleep(for: .seconds(3_600)) }
