import AsyncHTTPClient
import Foundation
import NIOCore
import StateStore
import StewardTesting
import Testing
@testable import Actions

/// Retries, timeouts, refused connections and the token (DESIGN §5): errors told apart by type.
extension HTTPDriverTests {
    @Test func serverErrorsAreRetriedThenSucceed() async throws {
        try await withConsole { console, ids in
            let driver = driver(console, ids)
            _ = try await driver.execute(register("1.2.0"))
            console.clearCalls()
            console.failNext(2, status: 500)
            let outcome = try await driver.execute(deployment(.deploy, "1.2.0"))
            #expect(outcome.targetId != nil)
            #expect(console.calls("POST", "/api/deployments").count == 3)
            #expect(console.deployments().count == 1)
        }
    }

    @Test func serverErrorsForeverEndTransientAfterBoundedRetries() async throws {
        try await withConsole { console, ids in
            console.failNext(100, status: 503)
            let error = try await driverError { _ = try await driver(console, ids, retries: 2).execute(register("1.2.0")) }
            #expect(error.isTransient)
            #expect(error.message.contains("after 3 attempts"))
            #expect(error.message.contains("503"))
            #expect(console.calls.count == 3)
        }
    }

    @Test func clientErrorsAreNotRetried() async throws {
        try await withConsole { console, ids in
            console.failNext(5, status: 422)
            let error = try await driverError { _ = try await driver(console, ids).execute(register("1.2.0")) }
            #expect(!error.isTransient)
            #expect(error.message.contains("422"))
            #expect(console.calls.count == 1)
        }
    }

    @Test func aWrongTokenIsTerminalAndTheTokenStaysSecret() async throws {
        try await withConsole { console, ids in
            let wrong = "wrong-token-d41d8cd98f00"
            let driver = driver(console, ids, token: wrong)
            let error = try await driverError { _ = try await driver.execute(register("1.2.0")) }
            #expect(!error.isTransient)
            #expect(error.message.contains("401"))
            #expect(!error.message.contains(wrong))
            #expect(!error.message.contains(Self.token))
            #expect(!"\(driver)".contains(wrong))
            #expect(console.calls.count == 1)
            #expect(console.calls.first?.header("Authorization") == "Bearer \(wrong)")
            let deployError = try await driverError { _ = try await driver.deployments(environment: "staging") }
            #expect(deployError.message.contains("401"))
        }
    }

    @Test func noTokenSendsNoAuthorizationHeader() async throws {
        try await withConsole(token: nil) { console, ids in
            try await driver(console, ids, token: nil).ping()
            let call = try #require(console.calls("GET", "/health").first)
            #expect(call.header("Authorization") == nil)
        }
    }

    @Test func aRequestTimeoutIsTransient() async throws {
        try await withConsole { console, ids in
            console.delay(seconds: 30)
            let started = ContinuousClock.now
            let error = try await driverError { try await driver(console, ids, requestTimeout: 0.4, retries: 1).ping() }
            let elapsed = ContinuousClock.now - started
            #expect(error.isTransient)
            #expect(error.message.contains("failed after 2 attempts: timed out after 0.4s"))
            #expect(elapsed >= .seconds(0.8))
            #expect(elapsed < .seconds(20))  // the console answers only after 30 s: ending sooner proves the timeout
            console.delay(seconds: 0.3)
            try await driver(console, ids, requestTimeout: 30, retries: 0).ping()  // slower than 0.4 s, within a generous bound
            console.delay(seconds: 0)
        }
    }

    @Test func aRefusedConnectionIsRetriedThenTransient() async throws {
        // A port nothing listens on, held so that no other test's server takes it meanwhile.
        let (socket, port) = try refusingSocket()
        defer { close(socket) }
        let directory = try TemporaryDirectory(prefix: "steward-http")
        let store = try await directory.executorStore()
        let url = try #require(URL(string: "http://127.0.0.1:\(port)"))
        let driver = HTTPDriver(baseURL: url, token: Self.token, environment: "staging", ids: StateStoreConsoleIds(store: store),
                                requestTimeout: 90, retries: 2, initialBackoff: 0.01)
        let started = ContinuousClock.now
        let error = try await driverError { try await driver.ping() }
        try await store.close()
        #expect(error.isTransient)
        #expect(error.message.contains("failed after 3 attempts: cannot connect to 127.0.0.1:\(port): connection refused"), "\(error)")
        #expect(!error.message.contains(Self.token))
        // Far below the 90 s request timeout, with room for a loaded CI machine: not a speed test.
        #expect(ContinuousClock.now - started < .seconds(45), "a refused connection fails at once, not at the request timeout")
    }

    @Test func transportErrorsAreClassifiedByType() {
        #expect(ConsoleTransportProblem(classifying: HTTPClientError.deadlineExceeded) == .timedOut)
        #expect(ConsoleTransportProblem(classifying: HTTPClientError.readTimeout) == .timedOut)
        #expect(ConsoleTransportProblem(classifying: HTTPClientError.remoteConnectionClosed) == .connection("the console closed the connection"))
        #expect(ConsoleTransportProblem(classifying: HTTPClientError.invalidURL).isRetried == false)
        #expect(ConsoleTransportProblem(classifying: NIOTooManyBytesError(maxBytes: 16)) == .answerTooLarge)
        #expect(ConsoleTransportProblem(classifying: IOError(errnoCode: ECONNREFUSED, reason: "connect")) == .connection("connection refused"))
        #expect(ConsoleTransportProblem(classifying: IOError(errnoCode: ECONNRESET, reason: "read")).isRetried)
        #expect(ConsoleTransportProblem(classifying: ChannelError.connectTimeout(.seconds(1))) == .timedOut)
    }

    @Test func pathsAreAppendedToTheBaseURLPath() async throws {
        try await withConsole { _, ids in
            let driver = HTTPDriver(baseURL: URL(string: "https://user:pw@console.example.com/tenant-a/")!, token: nil,
                                    environment: "staging", ids: ids)
            let request = try driver.clientRequest(.GET, "/api/deployments", query: [("environment", "a b")], body: nil, idempotencyKey: nil)
            #expect(request.url == "https://user:pw@console.example.com/tenant-a/api/deployments?environment=a%20b")
            #expect(driver.consoleKey == "https://console.example.com/tenant-a")
            #expect(!"\(driver)".contains("pw"))
            let bad = HTTPDriver(baseURL: URL(string: "ftp://console.example.com")!, token: nil, environment: "staging", ids: ids)
            #expect(throws: DriverError.self) { try bad.clientRequest(.GET, "/health", query: [], body: nil, idempotencyKey: nil) }
        }
    }
}
