import Foundation
import StewardTesting
import Testing

/// The test console serves the routes the operator guides document and DESIGN §5 names, and
/// nothing else: a double implements the real thing and nothing more.
@Suite struct ConsoleServerRouteTests {
    /// Each documented route, where it is documented, and text that shows it there.
    static let documented: [(route: String, document: String, evidence: String)] = [
        ("POST /api/deployments/versions", devops, "**Endpoint**: `POST /api/deployments/versions`"),
        ("POST /api/deployments", devops, "**Endpoint**: `POST /api/deployments`"),
        ("GET /api/deployments/:id", devops, "**Endpoint**: `GET /api/deployments/:id`"),
        ("GET /api/deployments", devops, "curl -s http://localhost:3000/api/deployments?environment=${ENVIRONMENT} | jq -r '.[0].id'"),
        ("POST /api/deployments/:id/smoke-tests", devops, "**Endpoint**: `POST /api/deployments/:id/smoke-tests`"),
        ("POST /api/deployments/:id/promote", devops, "**Endpoint**: `POST /api/deployments/:id/promote`"),
        ("POST /api/deployments/rollback", devops, "curl -X POST http://localhost:3000/api/deployments/rollback"),
        ("GET /health", devops, "**Endpoint**: `GET /health`"),
        ("GET /ready", devops, "**Endpoint**: `GET /ready`"),
        ("GET /live", devops, "**Endpoint**: `GET /live`"),
        ("GET /health/runtime-adapters", deployment, "curl -s http://localhost:3000/health/runtime-adapters"),
        ("PUT /api/runtime-adapters/:name", design, "| configureAdapter / removeAdapter | `PUT` / `DELETE /api/runtime-adapters/:name` |"),
        ("DELETE /api/runtime-adapters/:name", design, "| configureAdapter / removeAdapter | `PUT` / `DELETE /api/runtime-adapters/:name` |"),
        ("DELETE /api/deployments/:id", design, "| undeploy | `DELETE /api/deployments/:id` |"),
    ]
    static let devops = "seeds/001_94e03261f8575330.txt"
    static let deployment = "seeds/000_83dfb8735d1e78fa.txt"
    static let design = "DESIGN.md"

    /// A document of `../shared` (beside the package, or the shared folder of this machine), when present.
    static func sharedDocument(_ name: String) -> String? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return [root.appendingPathComponent("../shared/\(name)").standardizedFileURL.path, "/work/shared/\(name)"]
            .lazy.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.first
    }

    @Test func everyRouteServedIsDocumented() {
        let served = ConsoleServer.routes.map(\.description)
        #expect(Set(served) == Set(Self.documented.map(\.route)))
        #expect(served.count == Self.documented.count, "no route twice")
        for route in ConsoleServer.routes {
            #expect(!route.source.isEmpty, "\(route) names where it is documented")
        }
    }

    @Test func theDocumentsShowEveryRoute() {
        for (route, name, evidence) in Self.documented {
            guard let text = Self.sharedDocument(name) else { continue }
            #expect(text.contains(evidence), "\(route): \(name) no longer says \(evidence)")
        }
    }

    @Test func undocumentedRoutesAnswer404() async throws {
        let console = try await ConsoleServer.start()
        for path in ["/api/deployments/versions?name=robot-nav", "/api/runtime-adapters/robotics-main", "/api/versions", "/metrics"] {
            let answer = await loopbackGET(port: console.port, path: path)
            #expect(answer?.status == 404, "GET \(path): \(String(describing: answer))")
        }
        let empty = await loopbackGET(port: console.port, path: "/api/deployments?environment=staging")
        #expect(empty?.body == "[]", "\(String(describing: empty))")
        await console.stop()
    }

    @Test func theApiNeedsTheTokenAndHealthIsOpen() async throws {
        let console = try await ConsoleServer.start(token: "s3cret")
        #expect(await loopbackGET(port: console.port, path: "/api/deployments?environment=staging")?.status == 401)
        for path in ["/health", "/ready", "/live", "/health/runtime-adapters"] {
            let answer = await loopbackGET(port: console.port, path: path)
            #expect(answer?.status == 200, "GET \(path) answers without a token: \(String(describing: answer))")
        }
        let live = await loopbackGET(port: console.port, path: "/live")
        #expect(live?.body == #"{"alive":true}"#, "\(String(describing: live))")
        await console.stop()
    }
}
