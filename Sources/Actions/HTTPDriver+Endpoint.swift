import Foundation
import NIOHTTP1

extension HTTPDriver {
    /// `GET path` on the console, once (no retries: a pre-deploy check reports what it saw, DESIGN §11):
    /// the status and a short, token-redacted snippet of the body. Throws `DriverError` when no answer came.
    public func checkEndpoint(_ path: String, timeoutSeconds: Double) async throws -> (status: Int, snippet: String) {
        let request = try clientRequest(.GET, path, query: [], body: nil, idempotencyKey: nil)
        do {
            let (status, data) = try await withThrowingTaskGroup(of: (HTTPResponseStatus, Data).self) { group in
                group.addTask { try await self.perform(request) }
                group.addTask {
                    try await Task.sleep(for: .seconds(timeoutSeconds))
                    throw ConsoleTransportProblem.timedOut
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
            let answer = ConsoleResponse(method: .GET, path: path, status: status, body: data, redact: redactor)
            return (Int(status.code), answer.snippet)
        } catch let problem as ConsoleTransportProblem {
            throw DriverError("GET \(path): \(describe(problem))", transient: true)
        }
    }
}
