import Logging
import StateStore
import StewardTesting

extension TemporaryDirectory {
    /// A migrated SQLite store (`state.db`, events in `events/`) in this directory, for executor tests.
    func executorStore() async throws -> any StateStore {
        let store = try await StoreFactory.open(url: "sqlite://state.db", eventLogDirectory: path + "/events", baseDirectory: path,
                                                logger: Logger(label: "test"))
        try await store.migrate()
        return store
    }
}
