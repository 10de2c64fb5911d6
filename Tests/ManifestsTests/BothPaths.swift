@testable import Manifests
import Testing

/// Parses a file on the fast path and on the general path and expects the same resources, field
/// positions and errors from both.
enum BothPaths {
    struct Outcome {
        var result: ManifestParser.FileResult
        /// Whether the fast path gave the result itself (else it left the file to the general path).
        var fast: Bool
        var errors: [String] { result.errors.map(\.description) }
    }

    @discardableResult
    static func parse(_ text: String, file: String = "case.yaml", sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
        parse(Array(text.utf8), file: file, sourceLocation: sourceLocation)
    }

    @discardableResult
    static func parse(_ bytes: [UInt8], file: String = "case.yaml", sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
        let parsed = ManifestParser.parse(file: file, bytes: bytes)
        let general = ManifestParser.parseGeneral(file: file, bytes: bytes)
        #expect(parsed.errors == general.errors, "\(file)", sourceLocation: sourceLocation)
        #expect(parsed.resources.count == general.resources.count, "\(file)", sourceLocation: sourceLocation)
        for (fast, slow) in zip(parsed.resources, general.resources) {
            #expect(fast.body == slow.body, "\(file)", sourceLocation: sourceLocation)
            #expect(fast.position == slow.position, "\(file)", sourceLocation: sourceLocation)
            #expect(fast.fieldPositions == slow.fieldPositions, "\(file)", sourceLocation: sourceLocation)
            #expect(fast == slow, "\(file)", sourceLocation: sourceLocation)
        }
        let fast = ManifestParser.parseFast(file: file, bytes: bytes, limits: .standard) != nil
        return Outcome(result: general, fast: fast)
    }
}
