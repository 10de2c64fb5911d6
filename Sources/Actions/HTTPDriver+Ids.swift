import Foundation
import StateStore

/// The console ids the driver learnt (DESIGN §5), read from and recorded in its `ConsoleIdStore`.
extension HTTPDriver {
    /// The ids recorded for this console; a store that cannot be read is a transient error.
    func book() async throws -> ConsoleIdBook {
        do {
            return ConsoleIdBook(try await ids.consoleIds(console: consoleKey))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw DriverError("cannot read the console ids of \(consoleKey) from the state store: \(error)", transient: true)
        }
    }

    /// Records an id just learnt, in a commit of its own. The console already acted, so a store
    /// that refuses it is logged rather than failing the action: the id also goes into the outcome
    /// (and so the event log), and probes still find the deployment by its `metadata.stewardDeployment`.
    func remember(_ kind: ConsoleId.Kind, _ subject: String, id: String) async {
        let record = ConsoleId(console: consoleKey, kind: kind, subject: subject, id: id, recordedAt: Date())
        do {
            try await ids.record(record)
        } catch {
            logger.warning("could not record a console id in the state store", metadata: [
                "console": "\(consoleKey)", "kind": "\(kind.rawValue)", "subject": "\(subject)", "id": "\(id)", "error": "\(error)",
            ])
        }
    }

    /// Records the console deployment just created for `deployment` in `environment`.
    func rememberDeployment(_ id: String, environment: String, deployment: String) async {
        await remember(.deployment, ConsoleId.deploymentSubject(environment: environment, deployment: deployment), id: id)
    }

    /// The blueprint version a console deployment runs: the recorded version its `versionId` stands
    /// for, else its `metadata.stewardVersion`.
    func runningVersion(_ deployment: ConsoleAPI.Deployment, of blueprint: String, book: ConsoleIdBook) -> String? {
        deployment.versionId.flatMap { book.version(ofVersionId: $0, blueprint: blueprint) } ?? deployment.stewardVersion
    }

    /// Whether a console deployment runs `version` of `blueprint`: by its `versionId` when Steward
    /// knows that version's id, else by its `metadata.stewardVersion`.
    func runs(_ deployment: ConsoleAPI.Deployment, _ version: String, of blueprint: String, book: ConsoleIdBook) -> Bool {
        if let expected = book.versionId(blueprint: blueprint, version: version), let versionId = deployment.versionId {
            return versionId == expected
        }
        return runningVersion(deployment, of: blueprint, book: book) == version
    }
}
