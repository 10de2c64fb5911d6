import Manifests
import Reconcile

/// Smoke tests on the local driver: the deployment's file is there and matches.
extension LocalDriver {
    /// Passes when the deployment's file is present and matches what was applied; the
    /// environment's endpoint and workflow tests are reported as skipped.
    func smokeTest(_ request: ActionRequest) throws -> ActionOutcome {
        let file = try LocalFile(for: request.action)
        let expected = try Self.expectedContent(for: request)
        guard let path = try path(of: file, create: false),
              let actual = try Self.readFile(path, relative: file.relativePath) else {
            throw DriverError("smoke test failed: \(file.relativePath) is missing", transient: false)
        }
        if case .differs(let why) = Self.compare(expected: expected, actual: actual) {
            throw DriverError("smoke test failed: \(file.relativePath) does not match what was applied: \(why)", transient: false)
        }
        var tests: [JSONValue] = [
            .object(["name": .string("\(file.relativePath) matches"), "status": .string("passed")]),
        ]
        for test in smokeTests {
            tests.append(.object([
                "name": .string(test.name), "status": .string("skipped"),
                "reason": .string("the local driver has no endpoints or workflows to call"),
            ]))
        }
        let skipped = smokeTests.count
        let message = "smoke test passed: \(file.relativePath) matches" + (skipped > 0 ? " (\(skipped) skipped)" : "")
        return ActionOutcome(message: message, data: .object(["overallStatus": .string("passed"), "tests": .array(tests)]))
    }
}
