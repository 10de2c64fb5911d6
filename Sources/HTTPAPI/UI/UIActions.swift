import Controller
import Foundation
import HTTPTypes
import Hummingbird

/// The page's forms: signing in and out, and its two buttons — reconcile now and approve the
/// pending version — each a POST that needs the session and its CSRF token (DESIGN §12).
enum UIActions {
    static func register(_ router: Router<BasicRequestContext>, _ context: APIContext) {
        router.get("/login") { request, _ in
            guard context.sessions != nil else { return UIRoutes.redirect("/") }
            return loginPage(next: safeNext(request.uri.queryParameters.get("next").map { String($0) }), flash: nil, status: .ok)
        }
        router.post("/login") { request, _ in
            guard let sessions = context.sessions else { return UIRoutes.redirect("/") }
            let form = try await UIForm.read(request)
            let next = safeNext(form["next"])
            guard let token = form["token"], sessions.token.matches(token) else {
                return loginPage(next: next, flash: "That is not the API token.", status: .unauthorized)
            }
            return UIRoutes.redirect(next, cookies: [UISessions.setCookie(sessions.issue(), secure: isSecure(request))])
        }
        router.post("/logout") { request, _ in
            let form = try await UIForm.read(request)
            guard let sessions = context.sessions, let session = sessions.session(UISessions.cookieValue(request.headers[.cookie])),
                  sessions.checkCSRF(form["csrf"], session: session) else { return forbidden("sign out needs the page's form") }
            return UIRoutes.redirect("/login", cookies: [UISessions.setCookie("", secure: isSecure(request))])
        }
        router.post("/ui/reconcile") { request, _ in
            if let refusal = try await refusal(request, context) { return refusal }
            context.reconcile.requestReconcile(retryingChecks: true)
            return UIRoutes.redirect("/", cookies: [flashCookie("A reconcile pass was requested.", secure: isSecure(request))])
        }
        router.post("/ui/deployments/:name/approve") { request, requestContext in
            if let refusal = try await refusal(request, context) { return refusal }
            let name = requestContext.parameters.get("name") ?? ""
            let back = "/deployments/\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._"))) ?? "")"
            guard let settings = context.settings else { return forbidden("this server cannot approve (no controller settings)") }
            let message: String
            do {
                let approval = try await ReleaseOperations.approve(deployment: name, version: nil, by: "status page", settings: settings, store: context.store)
                context.reconcile.requestReconcile()
                message = "Approved \(approval.deployment) \(approval.version); it deploys at the next pass."
            } catch let error as ControllerError {
                message = "Not approved: \(error.message)"
            }
            return UIRoutes.redirect(back, cookies: [flashCookie(message, secure: isSecure(request))])
        }
    }

    /// Why a button's POST is refused, or nil: a read-only page, no session, a wrong CSRF token,
    /// or a request another site made.
    static func refusal(_ request: Request, _ context: APIContext) async throws -> Response? {
        guard context.ui != .readOnly else { return forbidden("the page is read-only (server.ui: readOnly)") }
        guard let sessions = context.sessions else { return forbidden("the page's buttons need server.apiToken and a signed-in session") }
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin", site != "none" {
            return forbidden("a request from another site is refused")
        }
        let form = try await UIForm.read(request)
        guard let session = sessions.session(UISessions.cookieValue(request.headers[.cookie])) else {
            return UIRoutes.secured(try Routes.problem(.unauthorized, "sign in at /login first"))
        }
        guard sessions.checkCSRF(form["csrf"], session: session) else { return forbidden("missing or wrong CSRF token: reload the page and try again") }
        return nil
    }

    static func loginPage(next: String, flash: String?, status: HTTPResponse.Status) -> Response {
        var values: [String: Any] = ["next": next]
        if let flash { values["flash"] = flash }
        let content = UITemplates.library.render(values, withTemplate: "login") ?? ""
        return UIRoutes.html(UITemplates.library.render(["title": "Sign in", "content": content, "seq": "0"], withTemplate: "layout") ?? "", status: status)
    }

    static func forbidden(_ message: String) -> Response {
        UIRoutes.secured((try? Routes.problem(.forbidden, message)) ?? Response(status: .forbidden))
    }

    /// Only a path of this server: never another origin (`//host`, `https://…`, `/\t/host`, which a
    /// browser reads as `//host` once it drops the tab), so only the characters of a plain path and query.
    static func safeNext(_ next: String?) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "/-._~%?=&+:"))
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), next.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) })
        else { return "/" }
        return next
    }

    static func isSecure(_ request: Request) -> Bool { request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https" }

    static let flashName = "steward_flash"

    /// A one-time message for the page a POST redirects to (60 s).
    static func flashCookie(_ message: String, secure: Bool) -> String {
        UISessions.setCookie(flashName, message.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "", maxAge: 60, secure: secure)
    }

    static func flash(_ request: Request) -> String? {
        guard let value = UISessions.cookieValue(request.headers[.cookie], named: flashName)?.removingPercentEncoding, !value.isEmpty else { return nil }
        return String(value.prefix(500))
    }
}

/// An `application/x-www-form-urlencoded` body (at most 64 KiB).
enum UIForm {
    static func read(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        return parse(String(buffer: buffer))
    }

    static func parse(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String { text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            guard let name = parts.first else { continue }
            fields[decode(name)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}
