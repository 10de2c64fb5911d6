import Manifests

/// Small valid fleets as YAML text, for tests that change one thing at a time.
enum FleetFixtures {
    static let adapter = """
        apiVersion: steward/v1
        kind: RuntimeAdapter
        metadata:
          name: robotics-main
        spec:
          runtimeType: robotics
          enabled: true
          capabilities:
            realTime: true
            perception: true
            actuation: true
          provides: [camera, lidar, imu, motors]
          config:
            ros2: {domainId: 42}
            safetyEnvelope:
              limits:
                position: [-10, 10, -10, 10, 0, 2]
                velocity: [0.5, 2.0]
                acceleration: [0.5, 1.5]
                force: 50
                torque: 20
            emergencyStop: {enabled: true}
            watchdog: {timeoutMs: 500}

        """

    static let blueprint = """
        apiVersion: steward/v1
        kind: AgentBlueprint
        metadata:
          name: robot-navigation-agent
        spec:
          version: 1.2.0
          displayName: Robot Navigation Agent
          deploymentTarget: robotics
          requiredCapabilities: [perception, actuation, real-time, camera]
          toolAdapters:
            - {adapterId: ros2-perception, adapterType: perception, enabled: true, requiredCapabilities: [camera, lidar]}
          config: {prompt: "You are a navigation agent", temperature: 0.7}
          policies:
            - policyId: safety-policy
              enabled: true
              rules:
                - {type: velocity_limit, parameters: {maxVelocity: 2.0}}

        """

    static let environments = """
        apiVersion: steward/v1
        kind: Environment
        metadata:
          name: staging
        spec:
          driver: {type: local, root: ./var/fleet/staging}
          adapters: [robotics-main]
          strategy: {type: rolling}
        ---
        apiVersion: steward/v1
        kind: Environment
        metadata:
          name: production
        spec:
          promotesFrom: staging
          driver: {type: local, root: ./var/fleet/production}
          adapters: [robotics-main]
          strategy: {type: canary, steps: [10, 50, 100]}
          gates:
            smokeTests:
              - {name: API Health Check, endpoint: /health, expectedStatus: 200}
              - {name: Basic Workflow Execution, workflowId: my-workflow, expectedOutcome: success}
            requireApproval: false
            health: {maxErrorRate: 0.01, maxP95LatencyMs: 500, windowSeconds: 300}
          autoRollback: {enabled: true, revertCommit: true}
          syncWindows:
            - {kind: deny, schedule: "0 0 * * 6", durationMinutes: 2880, timeZone: Europe/Berlin}

        """

    static let deployment = """
        apiVersion: steward/v1
        kind: Deployment
        metadata:
          name: robot-nav-staging
        spec:
          blueprint: robot-navigation-agent
          environment: staging

        """

    static let backup = """
        apiVersion: steward/v1
        kind: BackupSchedule
        metadata:
          name: events-hourly
        spec:
          schedule: "0 * * * *"
          target: eventLog
          destination: ./var/backups
          retention: {keepLast: 24, maxAgeDays: 30}
          verify: true

        """

    /// A staging robot: staging's one Target (rolling, one at a time).
    static let target = """
        apiVersion: steward/v1
        kind: Target
        metadata:
          name: robot-001
          labels: {site: berlin, model: tb4}
        spec:
          environment: staging
          driver: {root: ./var/fleet/staging/robot-001}

        """

    static var valid: [String: String] {
        [
            "targets/robot-001.yaml": target,
            "adapters/robotics.yaml": adapter,
            "blueprints/nav-1.2.0.yaml": blueprint,
            "environments.yaml": environments,
            "deployments/nav.yaml": deployment,
            "backups/events.yaml": backup,
        ]
    }

    static func validate(_ files: [String: String], options: FleetValidator.Options = .init()) -> ValidationReport {
        FleetValidator.validate(files: files.map { .init(path: $0.key, bytes: Array($0.value.utf8)) }, options: options)
    }

    /// The valid fleet with one file replaced or added.
    static func validate(replacing path: String, with text: String) -> ValidationReport {
        var files = valid
        files[path] = text
        return validate(files)
    }
}
