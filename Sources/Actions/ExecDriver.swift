import Foundation
import Manifests
import Reconcile

/// Runs an operator's command for every action (DESIGN §5 `exec`): no shell, the action as JSON
/// on stdin, `STEWARD_*` variables, exit 0 = success, optional JSON reply on stdout.
public struct ExecDriver: Driver {
    /// The command and its arguments; the first element is the executable.
    public let command: [String]
    public let workingDirectory: String
    public let timeoutSeconds: Double
    /// The environment's own `driver.env`, passed to the command, its secret references resolved.
    public let environment: [String: String]
    /// `driver.statusBatch`: how many resources one `status` run answers for (nil: one each).
    public var statusBatch: Int?
    /// Replaces the resolved secrets (and any other value given) in everything the driver reports.
    let redactor: Redactor
    /// The controller's own environment, of which the command gets only `PATH` and `HOME`.
    let controllerEnvironment: [String: String]

    /// Bytes of stdout and stderr kept (tails) for the event log.
    static let tailBytes = 4096

    /// - Parameters:
    ///   - secrets: values redacted from every output tail, reply and message (the resolved
    ///     secret references of `environment`).
    ///   - controllerEnvironment: the controller's environment (default: this process's); tests give
    ///     one rather than call `setenv`, which races with every thread reading the environment.
    public init(command: [String], workingDirectory: String, timeoutSeconds: Double = 300,
                environment: [String: String] = [:], secrets: [String] = [], statusBatch: Int? = nil,
                controllerEnvironment: [String: String] = ProcessInfo.processInfo.environment) {
        self.command = command
        self.workingDirectory = workingDirectory
        self.timeoutSeconds = timeoutSeconds
        self.environment = environment
        self.redactor = Redactor(secrets: secrets)
        self.controllerEnvironment = controllerEnvironment
        self.statusBatch = statusBatch
    }

    public func execute(_ request: ActionRequest) async throws -> ActionOutcome {
        let action = request.action
        let what = "\(action.kind.rawValue) \(action.key.resource)"
        let result = try await run(actionName: action.kind.rawValue, invocationFor: ExecTarget(request))
        let output = outputText(result)
        try checkExit(result, what: what)
        let reply = ExecReply(result, redactor: redactor)
        if reply.status == "failed" {
            throw DriverError("\(what) failed: \(reply.message ?? "the command reported status failed")", transient: false)
        }
        return ActionOutcome(message: reply.message ?? "\(what) succeeded", targetId: reply.deploymentId,
                             output: output, data: reply.object.map { .object(["reply": $0]) })
    }

    public func hasEffect(_ request: ActionRequest) async throws -> Bool {
        if request.action.kind == .switchSlot { return try await switched(request) }
        let status = try await status(of: ExecTarget(request))
        if status.state == .unknown, ![.smokeTest, .backup, .pruneBackups].contains(request.action.kind) {
            throw DriverError(status.message ?? "the status check could not tell", transient: true)
        }
        switch request.action.kind {
        case .configureAdapter, .registerVersion, .deploy, .promote, .rollback:
            return status.state == .inSync
        case .removeAdapter, .undeploy:
            return status.state == .missing
        case .smokeTest, .backup, .pruneBackups, .switchSlot:
            return false  // nothing lasting to look at: run it again
        }
    }

    /// Whether the slot a switch names takes the traffic already: `status` with `STEWARD_SLOT` set, answered
    /// `{"activeSlot": SLOT}`. Only that answer is a yes — a script that does not know the question
    /// (a plain `healthy`) is a no, and the switch runs (setting the slot again changes nothing).
    func switched(_ request: ActionRequest) async throws -> Bool {
        let target = ExecTarget(request)
        let result = try await run(actionName: "status", invocationFor: target)
        try checkExit(result, what: "status \(target.key.resource) (which slot takes traffic)")
        let slot = request.action.document["spec"]?["activeSlot"]?.string
        return slot != nil && ExecReply(result, redactor: redactor).object?["activeSlot"]?.string == slot
    }

    /// Runs the command for one action (or `status`) on one resource.
    func run(actionName: String, invocationFor target: ExecTarget) async throws -> ExecRunResult {
        let invocation = ExecInvocation(
            executable: try resolveExecutable(),
            arguments: Array(command.dropFirst()),
            environment: childEnvironment(action: actionName, target: target),
            workingDirectory: workingDirectory,
            stdin: stdinJSON(action: actionName, target: target),
            timeoutSeconds: timeoutSeconds,
            tailBytes: Self.tailBytes + redactor.longestSecretBytes)
        let result = try await ExecRunner.run(invocation)
        if result.cancelled { throw CancellationError() }
        return result
    }

    /// Throws the `DriverError` for a run that did not exit 0: timeouts and exit 75 (EX_TEMPFAIL)
    /// are transient, everything else terminal.
    func checkExit(_ result: ExecRunResult, what: String) throws(DriverError) {
        if result.timedOut {
            throw DriverError("timed out after \(Self.seconds(timeoutSeconds)) s: \(what) (\(commandName) was terminated)",
                              transient: true)
        }
        let detail = lastLine(result.stderrTail, truncated: result.stderrTruncated).map { ": \($0)" } ?? ""
        switch result.termination {
        case .exited(0):
            return
        case .exited(let code):
            throw DriverError("\(what): \(commandName) exited with code \(code)\(detail)", transient: code == 75)
        case .signalled(let signal):
            throw DriverError("\(what): \(commandName) was killed by signal \(signal)\(detail)", transient: false)
        }
    }

    /// `stdout: …\nstderr: …`, each the redacted tail (at most 4 KB, one trailing newline dropped).
    func outputText(_ result: ExecRunResult) -> String {
        func trimmed(_ text: String) -> String {
            text.hasSuffix("\n") ? String(text.dropLast()) : text
        }
        return "stdout: \(trimmed(tailText(result.stdoutTail, truncated: result.stdoutTruncated)))\n"
            + "stderr: \(trimmed(tailText(result.stderrTail, truncated: result.stderrTruncated)))"
    }

    /// The redacted last 4 KB of a stream, starting on a character boundary.
    func tailText(_ bytes: [UInt8], truncated: Bool) -> String {
        let redacted = redactor.redact(bytes: bytes, cutAtStart: truncated)
        var slice = redacted.suffix(Self.tailBytes)
        while let first = slice.first, first & 0xC0 == 0x80 { slice = slice.dropFirst() }
        return String(decoding: slice, as: UTF8.self)
    }

    /// The last non-empty line of a stream, redacted, for error messages.
    func lastLine(_ bytes: [UInt8], truncated: Bool) -> String? {
        let text = tailText(bytes, truncated: truncated)
        let line = text.split(whereSeparator: \.isNewline).last.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let line, !line.isEmpty else { return nil }
        return line.count > 500 ? String(line.suffix(500)) : line
    }

    /// The command's name for messages.
    var commandName: String { command.first.map { ($0 as NSString).lastPathComponent } ?? "command" }

    /// `1` for whole seconds, `1.5` otherwise.
    static func seconds(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// What `print`, string interpolation and `dump` show of a driver: never its environment's values.
extension ExecDriver: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "ExecDriver(command: \(command), environment: [\(environment.keys.sorted().joined(separator: ", "))])"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["command": command, "workingDirectory": workingDirectory, "timeoutSeconds": timeoutSeconds,
                                "environment": environment.keys.sorted()])
    }
}
