import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Manifests
@testable import Reconcile
import Testing

/// Golden outputs of `diff -o markdown|junit|json` from a fixed `Plan`.
@Suite("diff reports: markdown, JUnit, JSON")
struct PlanReportTests {
    static let commit = "3f2a9c1d4e5b6a7980112233445566778899aabb"

    static func action(_ kind: ResourceKind, _ name: String, _ environment: String?, _ change: ChangeKind,
                       fields: [FieldChange] = [], version: String? = nil, reason: String) -> PlannedAction {
        PlannedAction(kind: change == .prune ? .undeploy : .deploy, key: ResourceKey(kind: kind, name: name, environment: environment), change: change,
                      document: .null, specHash: "hash", version: version, commit: commit, trigger: commit, fields: fields, reason: reason)
    }

    /// One of each change kind, values that need escaping, and two blocked items.
    static let plan = Plan(commit: commit, actions: [
        action(.runtimeAdapter, "robotics-lab", "staging", .create, fields: [
            FieldChange(path: "apiVersion", from: nil, to: .string("steward/v1")),
            FieldChange(path: "spec.runtimeType", from: nil, to: .string("robotics")),
        ], reason: "new in Git"),
        action(.agentBlueprint, "robot-navigation-agent@1.3.0", "staging", .update, fields: [
            FieldChange(path: "spec.config.prompt", from: .string("plan | act"), to: .string("plan | act\nreport <done> & `stop`")),
            FieldChange(path: "spec.config.temperature", from: .double(0.7), to: .double(0.5)),
            FieldChange(path: "spec.policies", from: nil, to: .array([.string("safety")])),
            FieldChange(path: "spec.goal", from: .string("a"), to: .string("b")),
        ], reason: "changed in Git: spec.config.prompt, spec.config.temperature, spec.policies"),
        action(.deployment, "robot-nav-staging", "staging", .update, fields: [
            FieldChange(path: "spec.version", from: .string("1.2.0"), to: .string("1.3.0")),
        ], reason: "changed in Git: spec.version"),
        action(.deployment, "desktop-assistant-staging", "staging", .drift,
               reason: "drifted: deployments/desktop-assistant-staging.json is missing"),
        action(.runtimeAdapter, "old-adapter", "production", .prune, reason: "no longer in Git"),
    ], blocked: [
        BlockedItem(key: ResourceKey(kind: .deployment, name: "robot-nav-production", environment: "production"),
                    reason: "robot-nav-production blocked: 1.3.0 not proven in staging (deployed there at seq 12, gates still running)"),
        BlockedItem(key: ResourceKey(kind: .deployment, name: "mapper", environment: "lab"),
                    reason: "held after failed 2.0.0 (seq 7): \"smoke\" <timeout> & 'retry'\u{7}\nnext"),
    ])

    static var report: PlanReport { PlanReport(commit: commit, plan: plan) }
    static var emptyReport: PlanReport { PlanReport(commit: commit, plan: Plan(commit: commit)) }

    // MARK: Markdown

    @Test func markdownGolden() {
        #expect(Self.report.markdown == #"""
            ### Steward plan for commit `3f2a9c1d4e5b`

            **5 changes (1 create, 2 update, 1 drift, 1 prune) · 2 blocked**

            | Resource | Environment | Change | Fields |
            |---|---|---|---|
            | `RuntimeAdapter/robotics-lab` | staging | create | new in Git |
            | `AgentBlueprint/robot-navigation-agent@1.3.0` | staging | update | `spec.config.prompt`: `"plan \| act"` → `` "plan \| act\nreport <done> & `stop`" ``<br>`spec.config.temperature`: `0.7` → `0.5`<br>`spec.policies`: `(none)` → `["safety"]`<br>`spec.goal` |
            | `Deployment/robot-nav-staging` | staging | update | `spec.version`: `"1.2.0"` → `"1.3.0"` |
            | `Deployment/desktop-assistant-staging` | staging | drift | drifted: deployments/desktop-assistant-staging.json is missing |
            | `RuntimeAdapter/old-adapter` | production | prune | no longer in Git |

            #### Blocked

            - `Deployment/robot-nav-production` in production: robot-nav-production blocked: 1.3.0 not proven in staging (deployed there at seq 12, gates still running)
            - `Deployment/mapper` in lab: held after failed 2.0.0 (seq 7): "smoke" \<timeout\> \& 'retry' next

            """#)
    }

    @Test func createdVersionsAreNamed() throws {
        let report = PlanReport(commit: "abc", plan: Plan(commit: "abc", actions: [
            Self.action(.deployment, "nav", "staging", .create, fields: [FieldChange(path: "spec", from: nil, to: .object([:]))],
                        version: "1.3.0-rc.1", reason: "new in Git"),
        ]))
        #expect(report.markdown.contains("| `Deployment/nav` | staging | create | new in Git, version `1.3.0-rc.1` |"))
        #expect(try report.json().contains("\"version\" : \"1.3.0-rc.1\""), "the JSON carries the version (a field added to DESIGN §7's shape)")
    }

    @Test func markdownWhenInSync() {
        #expect(Self.emptyReport.markdown == "**No changes**: the fleet matches commit `3f2a9c1d4e5b`.\n")
        #expect(Self.emptyReport.markdown.split(separator: "\n").count == 1)
    }

    @Test func markdownCellsNeverBreakTheTable() {
        let nasty = PlanReport(commit: "abc", plan: Plan(commit: "abc", actions: [
            Self.action(.deployment, "nav", "a|b\nc", .drift, reason: "x | y\r\nz\u{0}"),
        ]))
        let rows = nasty.markdown.split(separator: "\n").filter { $0.hasPrefix("| `Deployment/nav`") }
        #expect(rows.count == 1)
        let row = String(rows[0])
        // Exactly 5 unescaped pipes: the 4 cells' borders.
        var unescaped = 0, previous: Character = " "
        for character in row { if character == "|", previous != "\\" { unescaped += 1 }; previous = character }
        #expect(unescaped == 5, "\(row)")
        #expect(row.contains("a\\|b<br>c"))
        #expect(row.contains("x \\| y<br>z"))
        #expect(!row.contains("\u{0}"))
    }

    @Test func markdownEscaping() {
        #expect(Markdown.text("a*b_c [x](y) <b> #1 & |") == "a\\*b\\_c \\[x\\](y) \\<b\\> \\#1 \\& \\|")
        #expect(Markdown.text("1\n2\r\n3\r4") == "1<br>2<br>3<br>4")
        #expect(Markdown.code("plain") == "`plain`")
        #expect(Markdown.code("a`b") == "`` a`b ``")
        #expect(Markdown.code("``x") == "``` ``x ```")
        #expect(Markdown.code("a|b") == "`a\\|b`")
        #expect(Markdown.code("a|b", inTable: false) == "`a|b`")
        #expect(Markdown.code("") == "` `")
    }

    @Test func manyFieldsAreShortened() {
        let fields = (0..<20).map { FieldChange(path: "spec.config.k\($0)", from: .int($0), to: .int($0 + 1)) }
        let report = PlanReport(commit: "abc", plan: Plan(commit: "abc", actions: [
            Self.action(.runtimeAdapter, "big", "staging", .update, fields: fields, reason: "changed"),
        ]))
        let row = report.markdown.split(separator: "\n").first { $0.hasPrefix("| `RuntimeAdapter/big`") }.map(String.init) ?? ""
        #expect(row.contains("`spec.config.k0`: `0` → `1`<br>"))
        #expect(row.contains("<br>`spec.config.k7`<br>… and 12 more |"))
        #expect(!row.contains("k8"))
    }

    // MARK: JUnit

    @Test func junitGolden() {
        #expect(Self.report.junit == #"""
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="steward" tests="7" failures="7" errors="0" skipped="0">
              <testsuite name="steward-diff" tests="7" failures="7" errors="0" skipped="0">
                <properties>
                  <property name="commit" value="3f2a9c1d4e5b6a7980112233445566778899aabb"/>
                </properties>
                <testcase classname="RuntimeAdapter" name="robotics-lab (staging)">
                  <failure type="create" message="create: new in Git">new in Git
            apiVersion: (none) → &quot;steward/v1&quot;
            spec.runtimeType: (none) → &quot;robotics&quot;</failure>
                </testcase>
                <testcase classname="AgentBlueprint" name="robot-navigation-agent@1.3.0 (staging)">
                  <failure type="update" message="update: changed in Git: spec.config.prompt, spec.config.temperature, spec.policies">changed in Git: spec.config.prompt, spec.config.temperature, spec.policies
            spec.config.prompt: &quot;plan | act&quot; → &quot;plan | act\nreport &lt;done&gt; &amp; `stop`&quot;
            spec.config.temperature: 0.7 → 0.5
            spec.policies: (none) → [&quot;safety&quot;]
            spec.goal: &quot;a&quot; → &quot;b&quot;</failure>
                </testcase>
                <testcase classname="Deployment" name="robot-nav-staging (staging)">
                  <failure type="update" message="update: changed in Git: spec.version">changed in Git: spec.version
            spec.version: &quot;1.2.0&quot; → &quot;1.3.0&quot;</failure>
                </testcase>
                <testcase classname="Deployment" name="desktop-assistant-staging (staging)">
                  <failure type="drift" message="drift: drifted: deployments/desktop-assistant-staging.json is missing">drifted: deployments/desktop-assistant-staging.json is missing</failure>
                </testcase>
                <testcase classname="RuntimeAdapter" name="old-adapter (production)">
                  <failure type="prune" message="prune: no longer in Git">no longer in Git</failure>
                </testcase>
                <testcase classname="Deployment" name="robot-nav-production (production)">
                  <failure type="blocked" message="blocked: robot-nav-production blocked: 1.3.0 not proven in staging (deployed there at seq 12, gates still running)">robot-nav-production blocked: 1.3.0 not proven in staging (deployed there at seq 12, gates still running)</failure>
                </testcase>
                <testcase classname="Deployment" name="mapper (lab)">
                  <failure type="blocked" message="blocked: held after failed 2.0.0 (seq 7): &quot;smoke&quot; &lt;timeout&gt; &amp; &apos;retry&apos;\u{7}&#10;next">held after failed 2.0.0 (seq 7): &quot;smoke&quot; &lt;timeout&gt; &amp; &apos;retry&apos;\u{7}
            next</failure>
                </testcase>
              </testsuite>
            </testsuites>

            """#)
    }

    @Test func junitIsWellFormedWithTheRightCounts() throws {
        let document = try XMLDocument(data: Data(Self.report.junit.utf8), options: [])
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        let suite = try #require(root.elements(forName: "testsuite").first)
        #expect(suite.attribute(forName: "name")?.stringValue == "steward-diff")
        #expect(suite.attribute(forName: "tests")?.stringValue == "7")
        #expect(suite.attribute(forName: "failures")?.stringValue == "7")
        let cases = suite.elements(forName: "testcase")
        #expect(cases.count == 7)
        #expect(cases.allSatisfy { $0.elements(forName: "failure").count == 1 })
        #expect(cases.map { $0.attribute(forName: "classname")?.stringValue ?? "" }
            == ["RuntimeAdapter", "AgentBlueprint", "Deployment", "Deployment", "RuntimeAdapter", "Deployment", "Deployment"])
        let mapper = try #require(cases.first { $0.attribute(forName: "name")?.stringValue == "mapper (lab)" })
        let failure = try #require(mapper.elements(forName: "failure").first)
        // Entities and character references come back as the original text; the BEL is shown, not sent.
        #expect(failure.attribute(forName: "message")?.stringValue == "blocked: held after failed 2.0.0 (seq 7): \"smoke\" <timeout> & 'retry'\\u{7}\nnext")
        #expect(failure.stringValue == "held after failed 2.0.0 (seq 7): \"smoke\" <timeout> & 'retry'\\u{7}\nnext")
        let prompt = try #require(cases[1].elements(forName: "failure").first?.stringValue)
        #expect(prompt.contains("spec.config.prompt: \"plan | act\" → \"plan | act\\nreport <done> & `stop`\""))
    }

    @Test func junitWhenInSync() throws {
        let xml = Self.emptyReport.junit
        let document = try XMLDocument(data: Data(xml.utf8), options: [])
        let suite = try #require(document.rootElement()?.elements(forName: "testsuite").first)
        #expect(suite.attribute(forName: "tests")?.stringValue == "1")
        #expect(suite.attribute(forName: "failures")?.stringValue == "0")
        let cases = suite.elements(forName: "testcase")
        #expect(cases.count == 1)
        #expect(cases[0].attribute(forName: "name")?.stringValue == "fleet in sync")
        #expect(cases[0].elements(forName: "failure").isEmpty)
    }

    @Test func xmlEscapingSurvivesEveryCharacter() throws {
        var text = ""
        for value in UInt32(0)...0x2FF { if let scalar = Unicode.Scalar(value) { text.unicodeScalars.append(scalar) } }
        text += "\u{FFFE}\u{FFFF}\u{1F600}"
        let xml = "<a b=\"\(XML.escape(text))\">\(XML.escape(text, attribute: false))</a>"
        let document = try XMLDocument(data: Data(xml.utf8), options: [])
        let root = try #require(document.rootElement())
        let expected = text.unicodeScalars.map { scalar -> String in
            let value = scalar.value
            if (value < 0x20 && ![0x9, 0xA, 0xD].contains(value)) || value == 0xFFFE || value == 0xFFFF {
                return "\\u{\(String(value, radix: 16, uppercase: true))}"
            }
            return String(scalar)
        }.joined()
        #expect(root.attribute(forName: "b")?.stringValue == expected)
        #expect(root.stringValue == expected)
        #expect(XML.escape("&<>\"'") == "&amp;&lt;&gt;&quot;&apos;")
    }

    // MARK: JSON

    @Test func jsonGoldenKeepsTheDesignShape() throws {
        let small = PlanReport(commit: "abc123", plan: Plan(commit: "abc123", actions: [
            Self.action(.deployment, "robot-nav-staging", "staging", .update, fields: [
                FieldChange(path: "spec.version", from: .string("1.2.0"), to: .string("1.3.0")),
                FieldChange(path: "spec.suspend", from: nil, to: .bool(true)),
            ], reason: "changed in Git: spec.version, spec.suspend"),
        ], blocked: [
            BlockedItem(key: ResourceKey(kind: .backupSchedule, name: "hourly"), reason: "sync window until 2026-01-01T00:00:00.000Z"),
        ]))
        let key = small.changes[0].key
        #expect(key == Self.action(.deployment, "robot-nav-staging", "staging", .update, reason: "").idempotencyKey)
        #expect(try small.json() == """
            {
              "blocked" : [
                {
                  "chain" : [

                  ],
                  "environment" : null,
                  "gate" : null,
                  "kind" : "BackupSchedule",
                  "name" : "hourly",
                  "reason" : "sync window until 2026-01-01T00:00:00.000Z"
                }
              ],
              "changes" : [
                {
                  "action" : "deploy",
                  "change" : "update",
                  "environment" : "staging",
                  "fields" : [
                    {
                      "from" : "1.2.0",
                      "path" : "spec.version",
                      "to" : "1.3.0"
                    },
                    {
                      "from" : null,
                      "path" : "spec.suspend",
                      "to" : true
                    }
                  ],
                  "key" : "\(key)",
                  "kind" : "Deployment",
                  "name" : "robot-nav-staging",
                  "reason" : "changed in Git: spec.version, spec.suspend",
                  "version" : null
                }
              ],
              "commit" : "abc123"
            }
            """)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try Self.report.json().utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["commit", "changes", "blocked"])
        let changes = try #require(object["changes"] as? [[String: Any]])
        #expect(changes.count == 5)
        // DESIGN §7's fields, and those added to it (never renamed).
        #expect(changes.allSatisfy { Set($0.keys) == ["kind", "name", "environment", "change", "fields", "reason", "action", "version", "key"] })
        #expect(changes.map { $0["change"] as? String } == ["create", "update", "update", "drift", "prune"])
        let blocked = try #require(object["blocked"] as? [[String: Any]])
        #expect(blocked.allSatisfy { Set($0.keys) == ["kind", "name", "environment", "reason", "gate", "chain"] })
    }
}
