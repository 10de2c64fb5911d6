import Dispatch
import Foundation
import StewardTesting

// `steward-console [--port 3000] [--token-env NAME] [--count N]`: the in-repo console double — the deployment API
// the Aureus DevOps guide documents (versions, deployments, smoke tests, promote, rollback, health)
// plus DESIGN §5's runtime-adapter routes, nothing else — on 127.0.0.1, kept in memory, until SIGINT
// or SIGTERM ends the process. For trying the http driver and examples/aureus by hand; tests start it in-process.
// `--count N`: N consoles, each its own target (DESIGN §10) on its own port from --port on (--port 0: any
// free ports), one line per console on standard output.

var port = 3000
var count = 1
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
    case "--count":
        guard let value = arguments.popFirst().flatMap(Int.init), (1...10_000).contains(value) else {
            FileHandle.standardError.write(Data("steward-console: --count takes a number from 1 to 10000\n".utf8))
            exit(64)
        }
        count = value
    case "--token-env":
        guard let value = arguments.popFirst() else {
            FileHandle.standardError.write(Data("steward-console: --token-env takes a variable name\n".utf8))
            exit(64)
        }
        tokenVariable = value
    default:
        FileHandle.standardError.write(Data("usage: steward-console [--port 3000] [--token-env AUREUS_CONSOLE_TOKEN] [--count N]\n".utf8))
        exit(64)
    }
}
let token = ProcessInfo.processInfo.environment[tokenVariable].flatMap { $0.isEmpty ? nil : $0 }
var consoles: [ConsoleServer] = []
for index in 0..<count {
    let console = try await ConsoleServer.start(token: token, port: port == 0 ? 0 : port + index)
    consoles.append(console)
    FileHandle.standardOutput.write(Data("console on \(console.baseURL) (\(token == nil ? "no token" : "bearer token from $\(tokenVariable)")); Ctrl-C stops it\n".utf8))
}
// Runs until SIGINT or SIGTERM ends the process (everything it holds is in memory).
while true { try await Task.sleep(for: .seconds(3_600)) }
