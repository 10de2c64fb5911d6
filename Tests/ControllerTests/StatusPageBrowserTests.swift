import Foundation
import Manifests
import StewardTesting
import Testing

/// The status page (DESIGN §12) in a real browser — Debian's headless Chromium driven through
/// chromedriver — served by the real `steward run` on the quickstart fleet: the pipeline in
/// promotion order, a commit changing the open page live (without a reload), a blocked
/// production with its reason, Git values that stay text, and the token asked for once.
/// With `STEWARD_SCREENSHOTS=DIR` the pages are also saved there (`scripts/screenshots`).
@Suite("Status page in headless Chromium on the real steward run", .serialized,
       .enabled(if: ChromeDriver.unavailableReason == nil, "needs chromium and chromium-driver (scripts/test installs them)"))
struct StatusPageBrowserTests {
    static let payload = "<script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\">"

    @Test func thePipelineChangesLiveShowsABlockedProductionAndKeepsGitValuesInert() async throws {
        let fleet = try FleetWorkspace()
        try Self.serve(fleet, "server: {listen: \"127.0.0.1:0\"}")
        let run = try ReplicaProcess(fleet, name: "run")
        try await run.start()
        let base = "http://127.0.0.1:\(run.port)"
        try await Self.withBrowser { browser in
            try await browser.navigate(to: base + "/")
            try await browser.waitFor(css: ".stage[data-environment=production] .deployment", containing: "robot-nav-production", timeout: .seconds(60))
            let stages = try await browser.executeScript("return Array.from(document.querySelectorAll('.stage')).map(e => e.dataset.environment)")
            #expect(stages == .array([.string("staging"), .string("production")]), "environments in promotesFrom order")
            let staging = try await browser.text(of: browser.findElement(css: ".stage[data-environment=staging]"))
            #expect(staging.contains("robot-nav-staging 1.3.0") && staging.contains("desktop-assistant-staging 1.0.0"), "\(staging)")
            #expect(try await browser.text(of: browser.findElement(css: ".stage[data-environment=production]")).contains("promotes from staging"))
            try await Self.screenshot(browser, "status-page-pipeline")

            // A commit while the page is open: a description from Git with markup, and production
            // moved to a version staging never proved.
            _ = try await browser.executeScript("window.__marker = 'the same page'; return null")
            let adapter = try #require(fleet.repo.read("adapters/desktop-main.yaml"))
            try fleet.repo.write("adapters/desktop-main.yaml", adapter.replacingOccurrences(
                of: "description: Sandboxed desktop runtime for assistant agents", with: "description: '\(Self.payload)'"))
            let blueprint = try #require(fleet.repo.read("blueprints/robot-navigation-agent-1.3.0.yaml"))
            try fleet.repo.write("blueprints/robot-navigation-agent-1.4.0.yaml", blueprint.replacingOccurrences(of: "version: 1.3.0", with: "version: 1.4.0"))
            let deployment = try #require(fleet.repo.read("deployments/robot-nav-production.yaml"))
            try fleet.repo.write("deployments/robot-nav-production.yaml", deployment.replacingOccurrences(of: "version: 1.3.0", with: "version: 1.4.0"))
            _ = try fleet.repo.commit("production to 1.4.0 before staging")

            let blocked = try await browser.waitFor(css: ".stage[data-environment=production] .blocked", containing: "not proven in staging", timeout: .seconds(60))
            #expect(try await browser.text(of: blocked).contains("robot-navigation-agent@1.4.0"))
            try await browser.waitFor(css: "main table", containing: Self.payload, timeout: .seconds(30))
            #expect(try await browser.executeScript("return window.__marker") == .string("the same page"), "updated in place, not reloaded")
            #expect(try await browser.executeScript("return typeof window.__xss") == .string("undefined"), "the markup from Git did not run")
            #expect(try await browser.executeScript("return document.querySelectorAll('main script, main img').length") == .int(0))
            try await Self.screenshot(browser, "status-page-blocked")

            // The Deployment's page says why, from the plan; the events page gives the log's verdict.
            try await browser.navigate(to: base + "/deployments/robot-nav-production")
            let why = try await browser.waitFor(css: "pre.explain", containing: "1.4.0", timeout: .seconds(30))
            #expect(try await browser.text(of: why).contains("not proven in staging"))
            #expect(try await browser.text(of: browser.findElement(css: "main")).contains("History"))
            try await Self.screenshot(browser, "status-page-deployment")
            try await browser.navigate(to: base + "/events?type=versionProven")
            try await browser.waitFor(css: ".verdict", containing: "verify-log: ok")
            #expect(try await browser.findElements(css: "tr.type-versionProven").count >= 3)
            try await Self.screenshot(browser, "status-page-events")
        }
        run.signal(SIGTERM)
        _ = await run.exitStatus()
    }

    @Test func withATokenThePageAsksForItOnceAndItsButtonsWork() async throws {
        let fleet = try FleetWorkspace()
        try "browser-test-token\n".write(toFile: fleet.path + "/api-token", atomically: true, encoding: .utf8)
        try Self.serve(fleet, "server: {listen: \"127.0.0.1:0\", apiToken: {file: api-token}}")
        let run = try ReplicaProcess(fleet, name: "run")
        try await run.start()
        let base = "http://127.0.0.1:\(run.port)"
        try await Self.withBrowser { browser in
            try await browser.navigate(to: base + "/")
            try await browser.waitFor(css: "form.login", containing: "Sign in")
            #expect(try await browser.currentURL() == base + "/login?next=/")
            #expect(!(try await browser.pageSource()).contains("robot-nav-production"), "nothing shown before the token")
            try await Self.screenshot(browser, "status-page-sign-in")

            try await browser.sendKeys("not-the-token", to: browser.findElement(css: "input[name=token]"))
            try await browser.click(browser.findElement(css: "form.login button"))
            try await browser.waitFor(css: ".error", containing: "not the API token")
            try await browser.sendKeys("browser-test-token", to: browser.findElement(css: "input[name=token]"))
            try await browser.click(browser.findElement(css: "form.login button"))
            try await browser.waitFor(css: ".stage[data-environment=production]", containing: "robot-nav-production", timeout: .seconds(60))

            let session = try #require(try await browser.cookies().first { $0.name == "steward_session" })
            #expect(session.httpOnly && session.sameSite == "Strict")
            #expect(try await browser.executeScript("return document.cookie") == .string(""), "the session is out of scripts' reach")

            try await browser.click(browser.findElement(css: "form[action='/ui/reconcile'] button"))
            try await browser.waitFor(css: ".flash", containing: "A reconcile pass was requested.")
            // The flash is shown once.
            try await browser.navigate(to: base + "/")
            #expect(try await browser.findElements(css: ".flash").isEmpty)
        }
        run.signal(SIGTERM)
        _ = await run.exitStatus()
    }

    /// Adds `server:` to the workspace's controller.yaml.
    static func serve(_ fleet: FleetWorkspace, _ server: String) throws {
        let file = fleet.path + "/controller.yaml"
        try (try String(contentsOfFile: file, encoding: .utf8) + server + "\n").write(toFile: file, atomically: true, encoding: .utf8)
    }

    static func withBrowser(_ body: (WebDriverSession) async throws -> Void) async throws {
        let driver = try await ChromeDriver.start()
        do {
            let browser = try await driver.newSession()
            try await browser.setWindowSize(width: 1280, height: 900)
            do { try await body(browser) } catch {
                try? await browser.quit()
                throw error
            }
            try await browser.quit()
        } catch {
            await driver.stop()
            throw error
        }
        await driver.stop()
    }

    /// Saves the page as DIR/NAME.png when `STEWARD_SCREENSHOTS=DIR`.
    static func screenshot(_ browser: WebDriverSession, _ name: String) async throws {
        guard let folder = ProcessInfo.processInfo.environment["STEWARD_SCREENSHOTS"], !folder.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try await browser.screenshot().write(to: URL(fileURLWithPath: folder).appendingPathComponent(name + ".png"))
    }
}
