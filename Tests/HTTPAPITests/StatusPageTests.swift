import AsyncHTTPClient
import Foundation
@testable import HTTPAPI
import Manifests
import NIOCore
import NIOHTTP1
import StewardTesting
import Testing

/// The status page over HTTP (DESIGN §12) on a running controller: the pipeline, sign-in with the
/// API token, the cookie's flags, CSRF on the buttons, read-only and off, escaping and the CSP.
/// What a browser does with it is `StatusPageBrowserTests`.
@Suite("Status page: pipeline, sessions, CSRF, read-only, escaping", .serialized)
struct StatusPageTests {
    /// An HTTP client that does not follow redirects: the tests look at each 303.
    static let client = HTTPClient(configuration: .init(redirectConfiguration: .disallow))

    struct Page {
        var status: Int
        var headers: [String: String]
        var cookies: [String]
        var body: String
    }

    static func post(_ controller: RunningController, _ path: String, cookie: String? = nil, form: [String: String],
                     headers: [String: String] = [:]) async throws -> Page {
        try await fetch(controller, path, method: .POST, cookie: cookie, form: form, headers: headers)
    }

    static func fetch(_ controller: RunningController, _ path: String, method: HTTPMethod = .GET, cookie: String? = nil,
                      form: [String: String]? = nil, headers: [String: String] = [:]) async throws -> Page {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(controller.port)\(path)")
        request.method = method
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(120))   // a hang guard: the suite shares two cores
        let body = try await response.body.collect(upTo: 4 << 20)
        var fields: [String: String] = [:]
        for header in response.headers { fields[header.name.lowercased()] = header.value }
        return Page(status: Int(response.status.code), headers: fields, cookies: response.headers["Set-Cookie"], body: String(buffer: body))
    }

    /// Signs in with the token and returns the session cookie (`name=value`).
    static func signIn(_ controller: RunningController) async throws -> String {
        let page = try await post(controller, "/login", form: ["token": RunningController.token, "next": "/"])
        #expect(page.status == 303)
        let cookie = try #require(page.cookies.first { $0.hasPrefix("steward_session=") })
        return String(cookie.prefix { $0 != ";" })
    }

    static func csrf(in body: String) throws -> String {
        let marker = "name=\"csrf\" value=\""
        let start = try #require(body.range(of: marker)).upperBound
        return String(body[start...].prefix { $0 != "\"" })
    }

    @Test func withoutATokenThePageIsOpenAndHasNoButtons() async throws {
        let controller = try await RunningController(token: nil)
        #expect(try await controller.eventually { try await Self.fetch(controller, "/").body.contains("robot-nav-production") })
        let page = try await Self.fetch(controller, "/")
        #expect(page.status == 200)
        let csp = try #require(page.headers["content-security-policy"])
        #expect(csp.contains("default-src 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe"))
        #expect(page.headers["x-content-type-options"] == "nosniff")
        // Environments in promotesFrom order: staging, then production.
        let staging = try #require(page.body.range(of: "data-environment=\"staging\""))
        let production = try #require(page.body.range(of: "data-environment=\"production\""))
        #expect(staging.lowerBound < production.lowerBound)
        #expect(page.body.contains("promotes from staging"))
        #expect(!page.body.contains("Reconcile now"), "no buttons without a token")
        #expect(try await Self.post(controller, "/ui/reconcile", form: ["csrf": "x"]).status == 403)
        let css = try await Self.fetch(controller, "/static/steward.css")
        #expect(css.status == 200 && css.headers["content-type"]?.hasPrefix("text/css") == true && css.body.contains("prefers-color-scheme: dark"))
        await controller.stop()
    }

    @Test func aTokenGuardsThePageAndASessionCarriesTheButtons() async throws {
        let controller = try await RunningController()
        let anonymous = try await Self.fetch(controller, "/deployments/robot-nav-staging")
        #expect(anonymous.status == 303 && anonymous.headers["location"] == "/login?next=/deployments/robot-nav-staging")
        #expect(try await Self.fetch(controller, "/login").body.contains("type=\"password\""))
        #expect(try await Self.fetch(controller, "/ui/live?since=0&wait=0").status == 401)

        let wrong = try await Self.post(controller, "/login", form: ["token": "not-it", "next": "/"])
        #expect(wrong.status == 401 && wrong.cookies.isEmpty)
        let right = try await Self.post(controller, "/login", form: ["token": RunningController.token, "next": "https://evil.example/"])
        #expect(right.status == 303 && right.headers["location"] == "/", "next never leaves this server")
        let setCookie = try #require(right.cookies.first { $0.hasPrefix("steward_session=") })
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/"))

        let cookie = try await Self.signIn(controller)
        #expect(try await controller.eventually { try await Self.fetch(controller, "/", cookie: cookie).body.contains("robot-nav-production") })
        let page = try await Self.fetch(controller, "/", cookie: cookie)
        #expect(page.status == 200 && page.body.contains("Reconcile now") && page.body.contains("sign out"))
        let csrf = try Self.csrf(in: page.body)

        // The button's POST: without or with a wrong CSRF token, or from another site, refused.
        #expect(try await Self.post(controller, "/ui/reconcile", cookie: cookie, form: [:]).status == 403)
        #expect(try await Self.post(controller, "/ui/reconcile", cookie: cookie, form: ["csrf": String(csrf.reversed())]).status == 403)
        #expect(try await Self.post(controller, "/ui/reconcile", cookie: cookie, form: ["csrf": csrf],
                                     headers: ["Sec-Fetch-Site": "cross-site"]).status == 403)
        #expect(try await Self.post(controller, "/ui/reconcile", form: ["csrf": csrf]).status == 401, "no session")
        let accepted = try await Self.post(controller, "/ui/reconcile", cookie: cookie, form: ["csrf": csrf])
        #expect(accepted.status == 303 && accepted.headers["location"] == "/")
        let flash = try #require(accepted.cookies.first { $0.hasPrefix("steward_flash=") })
        let shown = try await Self.fetch(controller, "/", cookie: cookie + "; " + String(flash.prefix { $0 != ";" }))
        #expect(shown.body.contains("A reconcile pass was requested."))

        // A forged or altered session is no session.
        let forged = String(cookie.dropLast()) + (cookie.hasSuffix("0") ? "1" : "0")
        #expect(try await Self.fetch(controller, "/", cookie: forged).status == 303)
        // Approving where no approval is required says why, on the Deployment's page.
        let approve = try await Self.post(controller, "/ui/deployments/robot-nav-production/approve", cookie: cookie, form: ["csrf": csrf])
        #expect(approve.status == 303 && approve.headers["location"] == "/deployments/robot-nav-production")
        #expect(approve.cookies.first { $0.hasPrefix("steward_flash=") }?.contains("does%20not%20require%20approval") == true)
        await controller.stop()
    }

    @Test func afterSignInOnlyAPathOfThisServerIsFollowed() {
        for next in ["/", "/deployments/robot-nav-staging", "/events?type=rollback&since=3"] { #expect(UIActions.safeNext(next) == next) }
        for next in ["//evil.example", "/\t/evil.example", "/\n/evil.example", "https://evil.example/", "/\\evil.example", "evil", "/é", nil] {
            #expect(UIActions.safeNext(next) == "/", "\(String(describing: next))")
        }
    }

    @Test func readOnlyHasNoButtonsAndOffHasNoPage() async throws {
        let readOnly = try await RunningController(ui: .readOnly)
        let cookie = try await Self.signIn(readOnly)
        let page = try await Self.fetch(readOnly, "/", cookie: cookie)
        #expect(page.status == 200 && !page.body.contains("Reconcile now"))
        let csrf = try Self.csrf(in: page.body)   // the sign-out form's
        let refused = try await Self.post(readOnly, "/ui/reconcile", cookie: cookie, form: ["csrf": csrf])
        #expect(refused.status == 403 && refused.body.contains("read-only"))
        await readOnly.stop()

        let off = try await RunningController(ui: .off)
        #expect(try await Self.fetch(off, "/").status == 404)
        #expect(try await Self.fetch(off, "/static/steward.js").status == 404)
        await off.stop()
    }

    @Test func valuesFromGitAreEscaped() async throws {
        let payload = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'"
        let controller = try await RunningController(token: nil) { repo in
            let adapter = try String(contentsOfFile: repo.path + "/adapters/desktop-main.yaml", encoding: .utf8)
                .replacingOccurrences(of: "description: Sandboxed desktop runtime for assistant agents", with: "description: '\(payload.replacingOccurrences(of: "'", with: "''"))'")
            try repo.write("adapters/desktop-main.yaml", adapter)
        }
        // The description shows once the adapter's configuration is recorded (not while it runs).
        #expect(try await controller.eventually {
            let page = try await Self.fetch(controller, "/").body
            return page.contains("desktop-main") && !page.contains("its outcome is not recorded yet")
        })
        let body = try await Self.fetch(controller, "/").body
        #expect(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;"))
        #expect(!body.contains("<script>alert") && !body.contains("<img src=x"))
        #expect(try await Self.fetch(controller, "/deployments/%3Cscript%3E").status == 404)
        let missing = try await Self.fetch(controller, "/deployments/%3Cscript%3E")
        #expect(!missing.body.contains("<script>"))
        await controller.stop()
    }
}
