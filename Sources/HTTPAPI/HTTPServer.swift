import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The HTTP server of `steward run` (DESIGN §8), a `Service` in the controller's `ServiceGroup`.
public enum HTTPServer {
    /// Parses `host:port` (`127.0.0.1:9600`, `[::1]:9600`, `:9600`).
    public static func address(_ listen: String) throws -> BindAddress {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65_535).contains(port) else {
            throw HTTPServerError("server.listen '\(listen)' is not host:port")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return .hostname(host.isEmpty ? "0.0.0.0" : host, port: port)
    }

    /// The application serving every route; `onRunning` receives the bound port.
    public static func application(context: APIContext, address: BindAddress, logger: Logger,
                                   onRunning: (@Sendable (Int) async -> Void)? = nil) -> some Service {
        let router = Router()
        Routes.health(router, context)
        Routes.api(router, context)
        Routes.webhooks(router, context)
        UIRoutes.register(router, context)
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        return Application(router: router, configuration: .init(address: address, serverName: "steward"),
                           onServerRunning: { channel in await onRunning?(channel.localAddress?.port ?? 0) }, logger: quiet)
    }
}

/// A server set-up problem, one line.
public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
