/// Bounds how long an operation may take before it fails with a clear error.
enum Deadline {
    /// Runs `operation`; after `seconds` it is cancelled and `timeoutError` thrown instead.
    static func run<T: Sendable>(seconds: Double, timeoutError: @autoclosure @escaping @Sendable () -> StoreError,
                                 _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                throw timeoutError()
            }
            defer { group.cancelAll() }
            guard let value = try await group.next() else { throw timeoutError() }
            return value
        }
    }
}
