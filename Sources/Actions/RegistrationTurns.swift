/// Registrations of one version on one console, one at a time in this process.
///
/// Two environments on the same console register the same blueprint version in one pass, possibly
/// at once: the console answers one 201 and one 409, and the 409 needs the id the 201 brings. Taking
/// turns makes the second registration start after the first recorded that id.
actor RegistrationTurns {
    static let shared = RegistrationTurns()

    /// Keys in use, each with the registrations waiting for it.
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `body` when no other registration of `key` runs.
    nonisolated func one<T: Sendable>(_ key: String, _ body: () async throws -> T) async throws -> T {
        await acquire(key)
        do {
            let value = try await body()
            await release(key)
            return value
        } catch {
            await release(key)
            throw error
        }
    }

    private func acquire(_ key: String) async {
        guard waiting[key] != nil else {
            waiting[key] = []
            return
        }
        await withCheckedContinuation { waiting[key, default: []].append($0) }
    }

    private func release(_ key: String) {
        guard var queue = waiting[key], !queue.isEmpty else {
            waiting[key] = nil
            return
        }
        let next = queue.removeFirst()
        waiting[key] = queue
        next.resume()
    }
}
