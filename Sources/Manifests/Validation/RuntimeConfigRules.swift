/// Checks of `spec.config` for the runtime types the operator guides configure (DESIGN §2
/// RuntimeAdapter). The shapes follow the Aureus Agentic OS deployment guide, section "Runtime
/// Adapter Configurations": each configuration example there, translated from TypeScript to a
/// RuntimeAdapter manifest, is valid as written (`adapterId`, `runtimeType`, `name`,
/// `description`, `capabilities` and `enabled` become metadata.name and spec fields; every
/// other key of the object goes under `spec.config`). Keys the guide does not show are free.
enum RuntimeConfigRules {
    static func check(_ runtime: RuntimeType, _ config: JSONValue?, _ resource: Resource) -> [ValidationError] {
        guard let config, let shape = shape(of: runtime) else { return [] }
        var checker = ConfigShapeChecker(resource: resource)
        checker.check(config, shape, "spec.config")
        return checker.errors
    }

    /// The shape of `spec.config` for `runtime`; nil for runtimes the guides leave open (cloud).
    static func shape(of runtime: RuntimeType) -> ConfigShape? {
        shapes.first { $0.runtimes.contains(runtime) }?.shape
    }

    /// Each configuration shape with the runtime types it is for.
    static let shapes: [(runtimes: [RuntimeType], shape: ConfigShape)] = [
        ([.robotics], robotics),
        ([.mobile, .desktop], mobileDesktop),
        ([.smartGlasses], smartGlasses),
    ]

    /// Guide: "Robotics Runtime Adapter", `RoboticsRuntimeConfig`.
    static let robotics = ConfigShape.mapping([
        // ros2: { enabled: true, nodeNamespace: '/aureus', domainId: 0 } (the deploy script exports ROS_DOMAIN_ID=0).
        "ros2": .mapping([
            "enabled": .boolean,
            "nodeNamespace": .text,
            "domainId": .number(.nonNegativeWhole),
        ]),
        // safetyEnvelope: { enabled, limits: { position: [x_min, x_max, y_min, y_max, z_min, z_max] (m),
        // velocity: [linear_max, angular_max] (m/s, rad/s), acceleration: [linear_max, angular_max],
        // force: 100 (N), torque: 50 (Nm) } }.
        "safetyEnvelope": .mapping([
            "enabled": .boolean,
            "limits": .mapping([
                "position": .box,
                "velocity": .positivePair,
                "acceleration": .positivePair,
                "force": .number(.positive),
                "torque": .number(.positive),
            ]),
        ]),
        // perception: { enabled, adapters: ['camera', 'lidar', 'imu'], processingRate: 30 (Hz) }.
        "perception": .mapping([
            "enabled": .boolean,
            "adapters": .texts,
            "processingRate": .number(.positive),
        ]),
        // emergencyStop: { enabled, autoTriggerOnViolation }.
        "emergencyStop": .mapping([
            "enabled": .boolean,
            "autoTriggerOnViolation": .boolean,
        ]),
        // watchdog: { enabled, timeoutMs: 5000 }.
        "watchdog": .mapping([
            "enabled": .boolean,
            "timeoutMs": .number(.positive),
        ]),
    ])

    /// Guide: "Mobile and Desktop Runtime Adapter", `MobileDesktopRuntimeConfig` (one shape for
    /// both runtime types, as in the guide).
    static let mobileDesktop = ConfigShape.mapping([
        // sandbox: { enabled, defaultType: 'process', defaultPermissions: { network, filesystem,
        // allowedDomains: [...], allowedPaths: [...] } }; `sandbox: true` alone is accepted too.
        "sandbox": .mappingOrBoolean([
            "enabled": .boolean,
            "defaultType": .text,
            "defaultPermissions": .mapping([
                "network": .boolean,
                "filesystem": .boolean,
                "allowedDomains": .texts,
                "allowedPaths": .texts,
            ]),
        ]),
        // toolAdapters: { enabled, availableTools: ['http-client', ...], toolTimeout: 30000 (ms) }.
        "toolAdapters": .mapping([
            "enabled": .boolean,
            "availableTools": .texts,
            "toolTimeout": .number(.positive),
        ]),
        // resourceLimits: { maxMemoryMb: 512, maxCpuPercent: 80, maxExecutionTimeMs: 60000,
        // maxDiskUsageMb: 100 }; any other limit is a positive number too (DESIGN §2).
        "resourceLimits": .mapping([
            "maxMemoryMb": .number(.positive),
            "maxCpuPercent": .number(.positive),
            "maxExecutionTimeMs": .number(.positive),
            "maxDiskUsageMb": .number(.positive),
        ], others: .number(.positive)),
        // security: { enforcePermissions, allowExternalNetworkAccess, allowFileSystemAccess, requireSignedTools }.
        "security": .mapping([
            "enforcePermissions": .boolean,
            "allowExternalNetworkAccess": .boolean,
            "allowFileSystemAccess": .boolean,
            "requireSignedTools": .boolean,
        ]),
    ])

    /// Guide: "Smart Glasses Runtime Adapter", `SmartGlassesRuntimeConfig`.
    static let smartGlasses = ConfigShape.mapping([
        // perception: { enabled, camera: { enabled, defaultResolution: '1920x1080', defaultFrameRate: 30 },
        // microphone: { enabled, defaultSampleRate: 48000 }, imu: { enabled, defaultUpdateRate: 100 (Hz) },
        // streamBufferSize: 10 (frames) }.
        "perception": .mapping([
            "enabled": .boolean,
            "camera": .mapping([
                "enabled": .boolean,
                "defaultResolution": .resolution,
                "defaultFrameRate": .number(.positive),
            ]),
            "microphone": .mapping([
                "enabled": .boolean,
                "defaultSampleRate": .number(.positive),
            ]),
            "imu": .mapping([
                "enabled": .boolean,
                "defaultUpdateRate": .number(.positive),
            ]),
            "streamBufferSize": .number(.positiveWhole),
        ]),
        // output: { visual: { enabled, maxLatencyMs: 20, resolution: '1920x1080' },
        // audio: { enabled, maxLatencyMs: 10, sampleRate: 48000 }, haptic: { enabled, maxLatencyMs: 5 } }.
        "output": .mapping([
            "visual": .mapping([
                "enabled": .boolean,
                "maxLatencyMs": .number(.positive),
                "resolution": .resolution,
            ]),
            "audio": .mapping([
                "enabled": .boolean,
                "maxLatencyMs": .number(.positive),
                "sampleRate": .number(.positive),
            ]),
            "haptic": .mapping([
                "enabled": .boolean,
                "maxLatencyMs": .number(.positive),
            ]),
        ]),
        // processing: { enableGestureRecognition, enableVoiceRecognition, enableObjectDetection,
        // enableSceneUnderstanding, offloadToCloud, localProcessingOnly }.
        "processing": .mapping([
            "enableGestureRecognition": .boolean,
            "enableVoiceRecognition": .boolean,
            "enableObjectDetection": .boolean,
            "enableSceneUnderstanding": .boolean,
            "offloadToCloud": .boolean,
            "localProcessingOnly": .boolean,
        ]),
        // performance: { targetFrameRate: 60, maxEndToEndLatencyMs: 50, powerSavingMode: false }.
        "performance": .mapping([
            "targetFrameRate": .number(.positive),
            "maxEndToEndLatencyMs": .number(.positive),
            "powerSavingMode": .boolean,
        ]),
    ])
}
