import Controller
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import StateStore

/// Who looks at the page: signed in or not, and whether the buttons are theirs.
struct UIViewer: Sendable {
    var session: UISessions.Session?
    /// Signed in, and the page is not `server.ui: readOnly`.
    var canAct: Bool
    var flash: String?
    /// A refresh by the live script (`X-Steward-Fragment`), not a page opened.
    var refresh = false
}

/// The status page's routes (DESIGN §12), on the API's listener.
enum UIRoutes {
    static func register(_ router: Router<BasicRequestContext>, _ context: APIContext) {
        guard context.ui != .off else { return }
        router.get("/static/steward.css") { _, _ in asset(UIAssets.css, type: "text/css; charset=utf-8") }
        router.get("/static/steward.js") { _, _ in asset(UIAssets.js, type: "text/javascript; charset=utf-8") }
        router.get("/") { request, _ in
            try await page(request, context, template: "pipeline", title: "Pipeline") { try await UIPipelinePage.model(context, viewer: $0) }
        }
        router.get("/deployments/:name") { request, requestContext in
            let name = requestContext.parameters.get("name") ?? ""
            return try await page(request, context, template: "deployment", title: name) { viewer in
                guard let model = try await UIDeploymentPage.model(context, name: name, viewer: viewer) else {
                    throw HTTPError(.notFound, message: "no Deployment named \(name)")
                }
                return model
            }
        }
        router.get("/events") { request, _ in
            let query = request.uri.queryParameters
            let filters = UIEventsPage.Filters(resource: query.get("resource").map { String($0) }, type: query.get("type").map { String($0) },
                                               since: query.get("since", as: Int64.self), state: query.get("state") != nil)
            return try await page(request, context, template: "events", title: "Events") { _ in try await UIEventsPage.model(context, filters: filters) }
        }
        router.get("/ui/live") { request, _ in try await live(request, context) }
        UIActions.register(router, context)
    }

    /// A page: the session checked (with a token, none means the sign-in page), the model made and
    /// rendered, in the layout or — for the live script's `X-Steward-Fragment: main` — alone.
    static func page(_ request: Request, _ context: APIContext, template name: String, title: String,
                     _ model: @escaping @Sendable (UIViewer) async throws -> [String: Any]) async throws -> Response {
        guard var viewer = viewer(request, context) else { return redirectToLogin(request) }
        viewer.refresh = request.headers[fragmentHeader] == "main"
        var template = name
        let head = try await context.store.eventHead().seq
        var values: [String: Any]
        var status = HTTPResponse.Status.ok
        do { values = try await model(viewer) } catch let error as HTTPError {
            (template, status) = ("message", error.status)
            values = ["heading": error.status.reasonPhrase, "text": error.body ?? ""]
        }
        values["csrf"] = viewer.session?.csrf ?? ""
        values["canAct"] = viewer.canAct
        if let flash = viewer.flash { values["flash"] = flash }
        let content = UITemplates.library.render(values, withTemplate: template) ?? ""
        var response: Response
        if viewer.refresh {
            response = html(content, status: status)
        } else {
            let layout: [String: Any] = ["title": title, "content": content, "seq": "\(head)", "live": true,
                                         "signedIn": viewer.session != nil, "csrf": viewer.session?.csrf ?? ""]
            response = html(UITemplates.library.render(layout, withTemplate: "layout") ?? "", status: status)
        }
        response.headers[seqHeader] = "\(head)"
        if viewer.flash != nil { response.headers.append(HTTPField(name: .setCookie, value: UIActions.flashCookie("", secure: false))) }
        return response
    }

    /// The viewer of a request; nil when a token guards the page and the request has no valid session.
    static func viewer(_ request: Request, _ context: APIContext) -> UIViewer? {
        let flash = UIActions.flash(request)
        guard let sessions = context.sessions else { return UIViewer(session: nil, canAct: false, flash: flash) }
        guard let session = sessions.session(UISessions.cookieValue(request.headers[.cookie])) else { return nil }
        return UIViewer(session: session, canAct: context.ui != .readOnly, flash: flash)
    }

    /// `/ui/live?since=SEQ&wait=S`: `{"seq": head}` once the log moved past `since`, or after the wait.
    static func live(_ request: Request, _ context: APIContext) async throws -> Response {
        guard viewer(request, context) != nil else { return secured(try Routes.problem(.unauthorized, "sign in at /login")) }
        let since = request.uri.queryParameters.get("since", as: Int64.self) ?? 0
        let wait = min(max(request.uri.queryParameters.get("wait", as: Double.self) ?? 25, 0), 30)
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(wait * 1000)))
        var head = try await context.store.eventHead().seq
        while head <= since, ContinuousClock.now < deadline {
            await context.store.waitForEvents(after: since, timeout: min(deadline - ContinuousClock.now, EventPolling.interval))
            try Task.checkCancellation()
            head = try await context.store.eventHead().seq
        }
        return secured(try Routes.json(["seq": head]))
    }

    static let fragmentHeader = HTTPField.Name("X-Steward-Fragment")!
    static let seqHeader = HTTPField.Name("X-Steward-Seq")!

    static func redirectToLogin(_ request: Request) -> Response {
        let next = request.uri.path.hasPrefix("/") ? request.uri.path : "/"
        return redirect("/login?next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-._~"))) ?? "/")")
    }

    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        for cookie in cookies { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return secured(response)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        secured(Routes.text(text, status: status, contentType: "text/html; charset=utf-8"))
    }

    static func asset(_ text: String, type: String) -> Response {
        var response = secured(Routes.text(text, contentType: type))
        response.headers[.cacheControl] = "public, max-age=300"
        return response
    }

    /// Headers of every page response: nothing runs or loads but this server's own script and stylesheet.
    static func secured(_ response: Response) -> Response {
        var response = response
        response.headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
