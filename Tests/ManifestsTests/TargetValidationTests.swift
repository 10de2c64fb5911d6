import Manifests
import Testing

/// `kind: Target`, `targetSelector` and rollout strategies are refused with one line naming file,
/// line, resource and field when they do not fit (DESIGN §10).
@Suite("Targets: validation")
struct TargetValidationTests {
    private func robot(name: String = "robot-002", environment: String = "staging", labels: String = "{site: paris}",
                       driver: String = "{root: ./var/fleet/staging/robot-002}", extra: String = "") -> String {
        """
        apiVersion: steward/v1
        kind: Target
        metadata:
          name: \(name)
          labels: \(labels)
        spec:
          environment: \(environment)
          driver: \(driver)
        \(extra)
        """
    }

    private func errors(adding file: String, _ text: String) -> [String] {
        FleetFixtures.validate(replacing: file, with: text).errors.map(\.description)
    }

    @Test func aSecondRobotIsValid() {
        #expect(errors(adding: "targets/robot-002.yaml", robot()) == [])
    }

    @Test func anUnknownEnvironmentIsNamedWithASuggestion() {
        #expect(errors(adding: "targets/robot-002.yaml", robot(environment: "stagin")) == [
            "targets/robot-002.yaml:7:16: Target/robot-002: spec.environment: Environment 'stagin' not found, did you mean 'staging'?",
        ])
    }

    @Test func anOverrideTheDriverTypeDoesNotTakeIsRefused() {
        let found = errors(adding: "targets/robot-002.yaml", robot(driver: "{root: ./var/r2, url: \"https://robot-002:8443\"}"))
        #expect(found == ["targets/robot-002.yaml:8:33: Target/robot-002: spec.driver.url: a Target of a local environment may override only root, not url"],
                "\(found)")
    }

    @Test func aLocalTargetNeedsAFolderOfItsOwn() {
        let missing = errors(adding: "targets/robot-002.yaml", robot(driver: "{}"))
        #expect(missing.count == 1 && missing[0].contains("spec.driver: a Target of a local environment needs its own spec.driver.root"), "\(missing)")
        let shared = errors(adding: "targets/robot-002.yaml", robot(driver: "{root: ./var/fleet/staging/robot-001}"))
        #expect(shared.count == 1 && shared[0].contains("spec.driver.root: Target 'robot-001' of Environment 'staging' already has root ./var/fleet/staging/robot-001"),
                "\(shared)")
    }

    @Test func labelsAndSlotsAreChecked() {
        let slot = errors(adding: "targets/robot-002.yaml", robot(labels: "{slot: purple}"))
        #expect(slot.count == 1 && slot[0].contains("metadata.labels.slot: slot is blue or green"), "\(slot)")
        let label = errors(adding: "targets/robot-002.yaml", robot(labels: "{\"site name\": paris}"))
        #expect(label.count == 1 && label[0].contains("a label name is 1 to 63 letters"), "\(label)")
    }

    @Test func aDuplicateTargetNameIsRefused() {
        let found = errors(adding: "targets/again.yaml", robot(name: "robot-001", driver: "{root: ./var/other}"))
        #expect(found.count == 1 && found[0].contains("duplicate Target/robot-001"), "\(found)")
    }

    @Test func stewardVariablesAreSteward() {
        var files = FleetFixtures.valid
        files["environments.yaml"] = FleetFixtures.environments.replacingOccurrences(
            of: "driver: {type: local, root: ./var/fleet/staging}", with: "driver: {type: exec, command: [scripts/deploy.sh]}")
        files["targets/robot-001.yaml"] = robot(name: "robot-001", driver: "{env: {STEWARD_TARGET: x}}")
        let found = FleetFixtures.validate(files).errors.map(\.description)
        #expect(found.contains { $0.contains("spec.driver.env.STEWARD_TARGET: STEWARD_* variables are set by Steward") }, "\(found)")
    }

    @Test func aSelectorThatSelectsNothingIsRefused() {
        let deployment = FleetFixtures.deployment + "  targetSelector: {matchLabels: {site: tokyo}}\n"
        let found = errors(adding: "deployments/nav.yaml", deployment)
        #expect(found == ["deployments/nav.yaml:1:1: Deployment/robot-nav-staging: spec.targetSelector: selects none of Environment 'staging''s 1 Targets"]
                || found.count == 1 && found[0].contains("spec.targetSelector: selects none of Environment 'staging''s 1 Targets"), "\(found)")
    }

    @Test func aSelectorWithoutTargetsIsRefused() {
        var files = FleetFixtures.valid
        files["targets/robot-001.yaml"] = nil
        files["deployments/nav.yaml"] = FleetFixtures.deployment + "  targetSelector: {matchLabels: {site: berlin}}\n"
        let found = FleetFixtures.validate(files).errors.map(\.description)
        #expect(found.count == 1 && found[0].contains("spec.targetSelector: Environment 'staging' has no Targets to select from"), "\(found)")
    }

    @Test func blueGreenNeedsASlotOnEveryTargetAndBothSlots() {
        let deployment = FleetFixtures.deployment + "  strategy: {type: blue-green}\n"
        // robot-001 of the fixture has no slot.
        let found = errors(adding: "deployments/nav.yaml", deployment)
        #expect(found.count == 1 && found[0].contains("spec.strategy.type: a blue-green rollout puts each Target in a slot: robot-001 has no metadata.labels.slot (blue or green)"), "\(found)")
        var files = FleetFixtures.valid
        files["deployments/nav.yaml"] = deployment
        files["targets/robot-001.yaml"] = robot(name: "robot-001", labels: "{site: berlin, slot: blue}", driver: "{root: ./var/fleet/staging/robot-001}")
        let oneSlot = FleetFixtures.validate(files).errors.map(\.description)
        #expect(oneSlot.count == 1 && oneSlot[0].contains("needs Targets in both slots; none of the 1 selected has labels.slot: green"), "\(oneSlot)")
        files["targets/robot-002.yaml"] = robot(labels: "{site: paris, slot: green}")
        #expect(FleetFixtures.validate(files).errors.isEmpty, "\(FleetFixtures.validate(files).errors)")
        files["targets/robot-002.yaml"] = robot(labels: "{site: paris, slot: teal}")
        #expect(FleetFixtures.validate(files).errors.map(\.description).contains { $0.contains("metadata.labels.slot: slot is blue or green") })
    }

    @Test func strategyFieldsBelongToTheirStrategy() {
        let canary = FleetFixtures.deployment + "  strategy: {type: canary, steps: [50, 100], maxUnavailable: 2}\n"
        let found = errors(adding: "deployments/nav.yaml", canary)
        #expect(found.count == 1 && found[0].contains("spec.strategy.maxUnavailable: maxUnavailable is only used by the rolling strategy"), "\(found)")
        let rolling = FleetFixtures.deployment + "  strategy: {type: rolling, maxUnavailable: \"150%\"}\n"
        let bad = errors(adding: "deployments/nav.yaml", rolling)
        #expect(bad.count == 1 && bad[0].contains("spec.strategy.maxUnavailable") && bad[0].contains("150%"), "\(bad)")
        let pause = FleetFixtures.deployment + "  strategy: {type: rolling, pauseSeconds: 5}\n"
        #expect(errors(adding: "deployments/nav.yaml", pause).first?.contains("pauseSeconds is only used by the canary strategy") == true)
    }

    @Test func countsAndPercentagesOfTargets() {
        #expect(TargetCount("1")?.of(5) == 1)
        #expect(TargetCount("25%")?.of(5) == 2)
        #expect(TargetCount("100%")?.of(7) == 7)
        #expect(TargetCount("10")?.of(3) == 3)
        #expect(TargetCount("0") == nil && TargetCount("101%") == nil && TargetCount("x") == nil)
    }
}
