import ArgumentParser
import Controller
import Foundation
import Reconcile

/// `steward promote BLUEPRINT --to ENV [--version V] [--push]`.
struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote", abstract: "Commit a blueprint version into an environment, once its promotion gate would pass.")

    @OptionGroup var configOption: ConfigOption
    @Argument(help: "The blueprint to promote.") var blueprint: String
    @Option(name: .customLong("to"), help: "The environment to promote into.") var environment: String
    @Option(help: "The version (default: the one proven and running healthy in the promotesFrom environment).") var version: String?
    @Flag(help: "Push the commit to the remote.") var push = false
    @Option(name: [.short, .customLong("output")], help: "Output format: text or json.") var output: TextOrJSON = .text

    func run() async throws {
        let settings = try configOption.load()
        let result = try await releaseCall {
            try await settings.withStore { store in
                try await ReleaseOperations.promote(blueprint: blueprint, to: environment, version: version, push: push,
                                                    settings: settings, store: store)
            }
        }
        try printRelease(result, output: output)
    }
}

/// `steward rollback DEPLOYMENT [--to VERSION | --to-commit SHA] [--push]`.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Commit a Deployment's version back (default: its previous healthy version).")

    @OptionGroup var configOption: ConfigOption
    @Argument(help: "The Deployment to roll back.") var deployment: String
    @Option(name: .customLong("to"), help: "The version to go back to.") var version: String?
    @Option(name: .customLong("to-commit"), help: "Go back to the version the Deployment had at this commit.") var commit: String?
    @Flag(help: "Push the commit to the remote.") var push = false
    @Option(name: [.short, .customLong("output")], help: "Output format: text or json.") var output: TextOrJSON = .text

    func validate() throws {
        if version != nil, commit != nil { throw ValidationError("--to and --to-commit exclude each other") }
    }

    func run() async throws {
        let settings = try configOption.load()
        let result = try await releaseCall {
            try await settings.withStore { store in
                try await ReleaseOperations.rollback(deployment: deployment, to: version, toCommit: commit, push: push,
                                                     settings: settings, store: store)
            }
        }
        try printRelease(result, output: output)
    }
}

/// `steward approve DEPLOYMENT [--version V]`.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve the version a Deployment waits for (gates.requireApproval).")

    @OptionGroup var configOption: ConfigOption
    @Argument(help: "The Deployment awaiting approval.") var deployment: String
    @Option(help: "The pending version (checked; only the pending version can be approved).") var version: String?
    @Option(help: "A step of a canary rollout with approveSteps (2 and up; DESIGN §10).") var step: Int?
    @Option(name: [.short, .customLong("output")], help: "Output format: text or json.") var output: TextOrJSON = .text

    func run() async throws {
        let settings = try configOption.load()
        let user = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? NSUserName()
        let approval = try await releaseCall {
            try await settings.withStore { store in
                try await ReleaseOperations.approve(deployment: deployment, version: version, by: user, settings: settings, store: store,
                                                    step: step)
            }
        }
        switch output {
        case .json: print(try Terminal.json(approval))
        case .text: print("approved \(approval.deployment) \(approval.version) (by \(approval.approvedBy))")
        }
    }
}

/// Controller errors as one-line CLI errors (exit 1).
private func releaseCall<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let error as ControllerError { throw CLIError(error.message) }
}

private func printRelease(_ result: ReleaseCommit, output: TextOrJSON) throws {
    switch output {
    case .json:
        print(try Terminal.json(result))
    case .text:
        for change in result.changes { Terminal.standardError("\(change.deployment) (\(change.environment)): \(change.from) -> \(change.to)") }
        print(result.commit ?? result.message)
    }
}
