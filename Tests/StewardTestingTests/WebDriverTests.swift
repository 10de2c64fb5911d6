import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Manifests
import StewardTesting
import Testing

/// `ChromeDriver` and `WebDriverSession` drive a real headless Chromium through a real page.
@Suite(.enabled(if: ChromeDriver.unavailableReason == nil,
                "needs /usr/bin/chromedriver and /usr/bin/chromium (apt-get install chromium chromium-driver; scripts/test installs them)"))
struct WebDriverTests {
    @Test func drivesARealPage() async throws {
        try await withBrowser { browser, site in
            try await browser.navigate(to: site + "/")
            #expect(try await browser.title() == "Steward browser test")
            #expect(try await browser.currentURL() == site + "/")
            #expect(try await browser.pageSource().contains("<h1>Steward</h1>"))

            // The script file ran; the inline script did not (script-src 'self').
            let status = try await browser.waitFor(css: "#status", containing: "ready")
            #expect(try await browser.text(of: status) == "ready")
            #expect(try await browser.text(of: browser.findElement(css: "#inline")) == "inline script blocked")
            try await browser.click(try await browser.findElement(css: "#go"))
            try await browser.waitFor(css: "#status", containing: "clicked")

            let name = try await browser.findElement(css: "input[name=name]")
            #expect(try await browser.attribute("id", of: name) == "name")
            #expect(try await browser.attribute("placeholder", of: name) == nil)
            #expect(try await browser.findElements(css: "button").count == 2)
            #expect(try await browser.executeScript("return arguments[0] + arguments[1]", args: [.int(2), .int(3)]) == .int(5))
            #expect(try await browser.executeScript("return arguments[0].id", args: [name.json]) == .string("name"))

            let cookies = try await browser.cookies()
            let session = try #require(cookies.first { $0.name == "steward_session" }, "\(cookies)")
            #expect(session.value == "s3cret" && session.httpOnly && session.sameSite == "Strict", "\(session)")
            #expect(try await browser.executeScript("return document.cookie") == .string(""), "HttpOnly hides it from scripts")

            try await browser.sendKeys("Ada & <Lovelace>", to: name)
            try await browser.click(try await browser.findElement(css: "#send"))
            try await browser.waitFor(css: "#result", containing: "Hello, Ada & <Lovelace>")
            #expect(try await browser.text(of: browser.findElement(css: "#session")) == "session cookie sent")
            #expect(try await browser.currentURL() == site + "/submit")

            try await browser.setWindowSize(width: 800, height: 600)
            #expect(try await browser.executeScript("return window.outerWidth") == .int(800))
            let png = try await browser.screenshot()
            #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            #expect(png.count > 1_000)
        }
    }

    @Test func reportsWebDriverErrors() async throws {
        try await withBrowser { browser, site in
            try await browser.navigate(to: site + "/")
            let missing = await #expect(throws: WebDriverError.self) { try await browser.findElement(css: "#missing") }
            #expect(missing?.error == "no such element")
            #expect(try await browser.findElements(css: "#missing").isEmpty)

            let started = ContinuousClock.now
            let timeout = await #expect(throws: WebDriverError.self) {
                try await browser.waitFor(css: "#status", containing: "never", timeout: .milliseconds(500))
            }
            #expect(timeout?.error == "timeout")
            #expect(timeout?.message.contains("Steward") == true, "the page's text: \(timeout?.message ?? "")")
            #expect(ContinuousClock.now - started < .seconds(30), "hang guard")

            try await browser.quit()
            let gone = await #expect(throws: WebDriverError.self) { try await browser.title() }
            #expect(gone?.error == "invalid session id")
        }
    }

    /// Serves `TestSite`, starts chromedriver and a session, runs `body`, and always cleans up.
    private func withBrowser(_ body: (WebDriverSession, String) async throws -> Void) async throws {
        let site = try await TestSite.start()
        let driver: ChromeDriver
        do { driver = try await ChromeDriver.start() } catch { await site.stop(); throw error }
        do {
            let browser = try await driver.newSession()
            try await body(browser, "http://127.0.0.1:\(site.port)")
            try? await browser.quit()
        } catch {
            Issue.record("chromedriver said:\n\(driver.log())")
            await driver.stop()
            await site.stop()
            throw error
        }
        await driver.stop()
        await site.stop()
    }
}

/// A tiny site on 127.0.0.1:0: a page whose script is a file of its own (CSP `script-src 'self'`),
/// an HttpOnly SameSite=Strict cookie, and a form that greets whoever submits it.
struct TestSite {
    let port: Int
    let task: Task<Void, any Error>

    static let page = """
        <!doctype html>
        <html><head><title>Steward browser test</title><script src="/app.js" defer></script></head>
        <body>
        <h1>Steward</h1>
        <p id="status">loading</p>
        <p id="inline">inline script blocked</p>
        <script>document.getElementById('inline').textContent = 'inline script ran';</script>
        <button id="go" type="button">Go</button>
        <form method="post" action="/submit"><input id="name" name="name"><button id="send" type="submit">Send</button></form>
        </body></html>
        """
    static let script = """
        const status = document.getElementById('status');
        status.textContent = 'ready';
        document.getElementById('go').addEventListener('click', () => { status.textContent = 'clicked'; });
        """

    static func start() async throws -> TestSite {
        let router = Router()
        router.get("/") { _, _ in
            var headers = answerHeaders("text/html; charset=utf-8")
            headers[HTTPField.Name("Set-Cookie")!] = "steward_session=s3cret; Path=/; HttpOnly; SameSite=Strict"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        router.get("/app.js") { _, _ in
            Response(status: .ok, headers: answerHeaders("text/javascript"), body: .init(byteBuffer: ByteBuffer(string: script)))
        }
        router.post("/submit") { request, _ in
            var request = request
            let form = String(buffer: try await request.collectBody(upTo: 1 << 16))
            var fields = URLComponents()
            fields.percentEncodedQuery = form.replacingOccurrences(of: "+", with: "%20")
            let name = fields.queryItems?.first { $0.name == "name" }?.value ?? ""
            let cookie = request.headers[HTTPField.Name("Cookie")!] ?? ""
            let html = """
                <!doctype html><html><head><title>Submitted</title></head><body>
                <p id="result">Hello, \(escape(name))</p>
                <p id="session">\(cookie.contains("steward_session=s3cret") ? "session cookie sent" : "no session cookie")</p>
                </body></html>
                """
            return Response(status: .ok, headers: answerHeaders("text/html; charset=utf-8"),
                            body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        var logger = Logger(label: "steward.test.site")
        logger.logLevel = .critical
        let (ports, reportPort) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { reportPort.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let task = Task {
            defer { reportPort.finish() }
            try await app.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw WebDriverError(error: "test site", message: "the test site did not start: \(String(describing: await task.result))")
        }
        return TestSite(port: port, task: task)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    private static func answerHeaders(_ contentType: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[HTTPField.Name("Content-Security-Policy")!] = "script-src 'self'"
        return headers
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
