import Foundation
import Manifests
#if canImport(Glibc)
import Glibc
#endif

/// A `chromedriver` on a free loopback port, for tests that drive a real headless Chromium.
///
/// ```swift
/// let driver = try await ChromeDriver.start()
/// let browser = try await driver.newSession()
/// try await browser.navigate(to: "http://127.0.0.1:\(port)/")
/// try await browser.quit()
/// await driver.stop()
/// ```
public final class ChromeDriver: Sendable {
    /// Debian's chromedriver (package chromium-driver).
    public static let defaultExecutable = "/usr/bin/chromedriver"
    /// Debian's Chromium launcher (package chromium).
    public static let defaultBrowser = "/usr/bin/chromium"
    /// Headless, and runnable as root in a container (no sandbox, no /dev/shm, no GPU).
    public static let defaultArguments = [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
    ]

    /// Why browser tests cannot run here (chromedriver or chromium missing), or nil when they can.
    public static var unavailableReason: String? {
        let missing = [defaultExecutable, defaultBrowser].filter { !FileManager.default.isExecutableFile(atPath: $0) }
        guard !missing.isEmpty else { return nil }
        return "\(missing.joined(separator: " and ")) missing (apt-get install chromium chromium-driver; scripts/test installs them)"
    }

    /// `http://127.0.0.1:<port>`, where the driver speaks W3C WebDriver.
    public let baseURL: URL
    public let port: Int
    private let process: Subprocess
    private let logPath: String
    private let sessions = SessionList()

    private init(port: Int, process: Subprocess, logPath: String) {
        self.port = port
        self.baseURL = URL(string: "http://127.0.0.1:\(port)")!
        self.process = process
        self.logPath = logPath
    }

    /// Starts `executable` on a free port and waits until `GET /status` reports it ready.
    public static func start(executable: String = defaultExecutable, timeout: Duration = .seconds(30)) async throws -> ChromeDriver {
        var lastError: (any Error)?
        for _ in 0..<3 {   // the free port may be taken between closing our socket and chromedriver's bind
            let (fd, port) = try refusingSocket()
            close(fd)
            let logPath = NSTemporaryDirectory() + "steward-chromedriver-\(UUID().uuidString).log"
            let process = try Subprocess(executable, ["--port=\(port)"], stdout: logPath, stderr: logPath)
            let driver = ChromeDriver(port: port, process: process, logPath: logPath)
            do {
                try await driver.waitUntilReady(timeout: timeout)
                return driver
            } catch {
                lastError = error
                await driver.stop()
            }
        }
        throw lastError ?? WebDriverError(error: "session not created", message: "chromedriver did not start")
    }

    /// Polls `GET /status` until `value.ready` is true, the process ends, or `timeout` passes.
    private func waitUntilReady(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw WebDriverError(error: "chromedriver exited", message: "port \(port): \(log())")
            }
            if let status = try? await WebDriverWire.send("GET", baseURL.appendingPathComponent("status"), timeout: .seconds(2)),
               status["ready"] == .bool(true) {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw WebDriverError(error: "timeout", message: "chromedriver on port \(port) not ready after \(timeout): \(log())")
    }

    /// A new browser session with `goog:chromeOptions` of `browser` and `arguments`, and a fresh
    /// profile directory of its own (removed when the session quits or the driver stops).
    public func newSession(browser: String = defaultBrowser, arguments: [String] = defaultArguments) async throws -> WebDriverSession {
        let profile = NSTemporaryDirectory() + "steward-chromium-\(UUID().uuidString)"
        let options: JSONValue = .object([
            "binary": .string(browser),
            "args": .array((arguments + ["--user-data-dir=\(profile)"]).map(JSONValue.string)),
        ])
        let body: JSONValue = .object(["capabilities": .object(["alwaysMatch": .object([
            "browserName": .string("chrome"), "goog:chromeOptions": options,
        ])])])
        let value: JSONValue
        do {
            value = try await WebDriverWire.send("POST", baseURL.appendingPathComponent("session"), body, timeout: .seconds(60))
        } catch {
            try? FileManager.default.removeItem(atPath: profile)
            throw error
        }
        guard let id = value["sessionId"]?.string else {
            try? FileManager.default.removeItem(atPath: profile)
            throw WebDriverError(error: "session not created", message: "no sessionId in \(value)")
        }
        sessions.insert(id, profile: profile)
        return WebDriverSession(driver: baseURL, id: id, onQuit: { [sessions] in
            if let profile = sessions.remove(id) { try? FileManager.default.removeItem(atPath: profile) }
        })
    }

    /// Quits sessions still open, then ends chromedriver (SIGTERM, SIGKILL after 5 s) and removes its
    /// log and the sessions' profiles.
    public func stop() async {
        let open = sessions.removeAll()
        for id in open.keys {
            _ = try? await WebDriverWire.send("DELETE", baseURL.appendingPathComponent("session/\(id)"), timeout: .seconds(10))
        }
        process.signal(SIGTERM)
        let ended = Task { await process.wait() }
        let killer = Task {
            try await Task.sleep(for: .seconds(5))
            process.signal(SIGKILL)
        }
        _ = await ended.value
        killer.cancel()
        for path in [logPath] + open.values { try? FileManager.default.removeItem(atPath: path) }
    }

    /// The last lines chromedriver printed.
    public func log() -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(20).joined(separator: "\n")
    }
}

/// The sessions a driver opened and not yet quit: id → profile directory.
final class SessionList: @unchecked Sendable {
    private let lock = NSLock()
    private var profiles: [String: String] = [:]

    func insert(_ id: String, profile: String) { lock.withLock { profiles[id] = profile } }
    func remove(_ id: String) -> String? { lock.withLock { profiles.removeValue(forKey: id) } }
    func removeAll() -> [String: String] { lock.withLock { defer { profiles = [:] }; return profiles } }
}
