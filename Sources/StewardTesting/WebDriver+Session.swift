import Foundation
import Manifests

/// One browser session of a `ChromeDriver`: the W3C WebDriver commands a page test needs.
public struct WebDriverSession: Sendable {
    /// The driver's base URL.
    public let driver: URL
    /// The W3C session id.
    public let id: String
    private let onQuit: @Sendable () -> Void

    init(driver: URL, id: String, onQuit: @escaping @Sendable () -> Void) {
        self.driver = driver
        self.id = id
        self.onQuit = onQuit
    }

    /// Sends a command to `/session/{id}/{path}` and returns the answer's `value`.
    @discardableResult
    public func command(_ method: String, _ path: String, _ body: JSONValue? = nil) async throws -> JSONValue {
        let url = driver.appendingPathComponent("session/\(id)" + (path.isEmpty ? "" : "/\(path)"))
        return try await WebDriverWire.send(method, url, body)
    }

    // MARK: Navigation

    /// Loads `url` and waits until the page has loaded.
    public func navigate(to url: String) async throws {
        try await command("POST", "url", .object(["url": .string(url)]))
    }

    public func currentURL() async throws -> String { try await string("GET", "url") }

    public func title() async throws -> String { try await string("GET", "title") }

    /// The current DOM serialized as HTML.
    public func pageSource() async throws -> String { try await string("GET", "source") }

    // MARK: Elements

    /// The first element matching `css`; throws `no such element` when none does.
    public func findElement(css: String) async throws -> ElementID {
        try ElementID(from: try await command("POST", "element", locator(css)))
    }

    /// Every element matching `css`, in document order (none: empty).
    public func findElements(css: String) async throws -> [ElementID] {
        try (try await command("POST", "elements", locator(css))).array?.map(ElementID.init(from:)) ?? []
    }

    /// The element's rendered text.
    public func text(of element: ElementID) async throws -> String {
        try await string("GET", "element/\(element.rawValue)/text")
    }

    /// The attribute's (or property's) value, nil when it has none.
    public func attribute(_ name: String, of element: ElementID) async throws -> String? {
        try await command("GET", "element/\(element.rawValue)/attribute/\(name)").string
    }

    public func click(_ element: ElementID) async throws {
        try await command("POST", "element/\(element.rawValue)/click")
    }

    /// Types `text` into the element.
    public func sendKeys(_ text: String, to element: ElementID) async throws {
        try await command("POST", "element/\(element.rawValue)/value", .object(["text": .string(text)]))
    }

    // MARK: Scripts, cookies, window

    /// Runs `script` as a function body (`return ...`; `arguments[i]` are `args`) and returns its result.
    @discardableResult
    public func executeScript(_ script: String, args: [JSONValue] = []) async throws -> JSONValue {
        try await command("POST", "execute/sync", .object(["script": .string(script), "args": .array(args)]))
    }

    /// The cookies visible to the current page, HttpOnly ones included.
    public func cookies() async throws -> [WebDriverCookie] {
        (try await command("GET", "cookie")).array?.map(WebDriverCookie.init(from:)) ?? []
    }

    /// A PNG of the viewport.
    public func screenshot() async throws -> Data {
        let encoded = try await string("GET", "screenshot")
        guard let data = Data(base64Encoded: encoded) else {
            throw WebDriverError(error: "bad response", message: "the screenshot is not base64 (\(encoded.prefix(40))...)")
        }
        return data
    }

    public func setWindowSize(width: Int, height: Int) async throws {
        try await command("POST", "window/rect", .object(["width": .int(width), "height": .int(height)]))
    }

    /// Polls every 100 ms until an element matching `css` has text containing `text`, and returns it;
    /// on timeout throws `timeout` with the page's current text.
    @discardableResult
    public func waitFor(css: String, containing text: String = "", timeout: Duration = .seconds(10)) async throws -> ElementID {
        let deadline = ContinuousClock.now + timeout
        while true {
            // An element may go stale between finding it and reading it: that is one more poll.
            if let elements = try? await findElements(css: css) {
                for element in elements {
                    if let shown = try? await self.text(of: element), shown.contains(text) { return element }
                }
            }
            if ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let page = (try? await executeScript("return document.body ? document.body.innerText : ''").string) ?? "(unreadable)"
        throw WebDriverError(error: "timeout", message: "no \(css) containing \"\(text)\" after \(timeout); the page shows: \(page)")
    }

    /// Ends the session and closes the browser.
    public func quit() async throws {
        try await command("DELETE", "")
        onQuit()
    }

    private func string(_ method: String, _ path: String) async throws -> String {
        let value = try await command(method, path)
        guard let string = value.string else {
            throw WebDriverError(error: "bad response", message: "\(method) \(path): expected a string, got \(value)")
        }
        return string
    }

    private func locator(_ css: String) -> JSONValue {
        .object(["using": .string("css selector"), "value": .string(css)])
    }
}
