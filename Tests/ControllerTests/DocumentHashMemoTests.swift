@testable import Controller
import Foundation
import Manifests
import StewardTesting
import Testing

/// The document hashes kept between processes: a resource seeded with them answers `specHash` and
/// its document's hash without encoding, and makes the same document when asked; the file reads
/// back what was written, for this build only, and a line that does not read is left out; only a
/// process that saves nothing (a preview) is seeded from it.
@Suite("Document hash memo")
struct DocumentHashMemoTests {
    /// The quickstart's staging Deployment, as the guide's example fleet has it.
    static var deployment: String {
        get throws {
            try String(contentsOf: StewardProcess.packageRoot.appendingPathComponent("examples/quickstart/deployments/robot-nav-staging.yaml"),
                       encoding: .utf8)
        }
    }

    static func parsed() throws -> Resource {
        let text = try deployment
        let result = FleetValidator.parseChecked(file: "deployments/a.yaml", bytes: Array(text.utf8), limits: YAMLLimits())
        #expect(result.errors.isEmpty, "\(result.errors)")
        return try #require(result.resources.first)
    }

    @Test func aSeededResourceAnswersWithTheRecordedHashesAndMakesTheSameDocumentWhenAsked() throws {
        let made = try Self.parsed()
        let document = try #require(made.canonicalDocument)
        let resolution = Resolution(version: "1.2.0", runtimeAdapter: nil)

        let seeded = try Self.parsed()
        seeded.seed(Resource.KnownHashes(specHash: made.specHash, document: document.hash, resolved: [resolution: String(repeating: "a", count: 64)]))
        #expect(seeded.knownHashes == Resource.KnownHashes(specHash: made.specHash, document: document.hash,
                                                           resolved: [resolution: String(repeating: "a", count: 64)]))
        #expect(seeded.specHash == made.specHash)
        let lazy = try #require(seeded.canonicalDocument)
        #expect(lazy.hash == document.hash)
        #expect(lazy.document == document.document, "made from the manifest when asked for")
        #expect(seeded.resolvedHash(resolution) == String(repeating: "a", count: 64))
        #expect(seeded.resolvedHash(Resolution(version: "1.2.0", runtimeAdapter: "robotics-main")) == nil)
        // A copy at another path keeps them.
        #expect(seeded.moved(to: "deployments/b.yaml").knownHashes == seeded.knownHashes)

        // What a decoding made itself is not replaced by a seed.
        let wrong = String(repeating: "0", count: 64)
        made.seed(Resource.KnownHashes(specHash: wrong, document: wrong))
        #expect(made.specHash != wrong && made.canonicalDocument?.hash == document.hash)
    }

    @Test func theFileReadsBackWhatWasWrittenForThisBuildOnly() throws {
        let hash = { (c: Character) in String(repeating: c, count: 64) }
        let memo: [DocumentHashMemo.Key: Resource.KnownHashes] = [
            DocumentHashMemo.Key(blob: String(repeating: "1", count: 40), line: 1):
                Resource.KnownHashes(specHash: hash("a"), document: hash("b")),
            DocumentHashMemo.Key(blob: String(repeating: "2", count: 40), line: 12):
                Resource.KnownHashes(document: nil, resolved: [Resolution(version: "1.0.0", runtimeAdapter: nil): hash("c"),
                                                               Resolution(version: "-rc", runtimeAdapter: "~odd"): hash("d")]),
        ]
        let bytes = DocumentHashMemo.encode(memo, identity: "1 2 3 4.5")
        #expect(DocumentHashMemo.decode(bytes, identity: "1 2 3 4.5") == memo)
        #expect(DocumentHashMemo.decode(bytes, identity: "1 2 3 4.6").isEmpty, "another build's file")
        #expect(DocumentHashMemo.decode(Array("not a memo\n".utf8), identity: "1 2 3 4.5").isEmpty)

        var text = String(decoding: bytes, as: UTF8.self)
        text += "\(String(repeating: "3", count: 40)) 4 \(hash("g")) xyz\n"            // not a hash
        text += "\(String(repeating: "4", count: 40)) 4 - \(hash("e")) 1.0.0\n"         // a resolution cut short
        text += "\(String(repeating: "5", count: 40)) x - \(hash("e"))\n"               // no line number
        text += "\(String(repeating: "6", count: 40)) 9 - \(hash("f"))"                 // no newline at the end: still whole
        var expected = memo
        expected[DocumentHashMemo.Key(blob: String(repeating: "6", count: 40), line: 9)] = Resource.KnownHashes(document: hash("f"))
        #expect(DocumentHashMemo.decode(Array(text.utf8), identity: "1 2 3 4.5") == expected)
    }

    @Test func aProcessSeedsItsParsesFromTheFileAnotherSavedAndAReadOnlyOneWritesNothing() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path + "/cache/document-hashes"
        let made = try Self.parsed()
        let blob = String(repeating: "7", count: 40)
        let writer = DocumentHashMemo(file: file, saving: true)
        writer.save([(blob, [made])], resolved: [:])
        let empty = try String(contentsOfFile: file, encoding: .utf8)
        #expect(empty == "\(DocumentHashMemo.magic) \(DocumentHashMemo.executableIdentity)\n", "nothing made yet: no entries")
        _ = made.specHash
        writer.save([(blob, [made])], resolved: [made.identity: [Resolution(version: "9.9.9", runtimeAdapter: "x"): String(repeating: "e", count: 64)]])
        let written = try #require(FileManager.default.contents(atPath: file))

        let reader = DocumentHashMemo(file: file, saving: false)
        let fresh = try Self.parsed()
        reader.seed([fresh], blob: blob)
        #expect(fresh.knownHashes.specHash == made.specHash)
        #expect(fresh.knownHashes.document == made.canonicalDocument?.hash, "made with the spec hash, so saved with it")
        #expect(fresh.resolvedHash(Resolution(version: "9.9.9", runtimeAdapter: "x")) == String(repeating: "e", count: 64))
        let other = try Self.parsed()
        reader.seed([other], blob: String(repeating: "8", count: 40))
        #expect(other.knownHashes == Resource.KnownHashes(), "another blob's content is not seeded")

        reader.save([(String(repeating: "9", count: 40), [fresh])], resolved: [:])
        #expect(FileManager.default.contents(atPath: file) == written, "a read-only memo writes nothing")

        // A process that saves hashes what it applies itself: it is never seeded from the file.
        let controller = DocumentHashMemo(file: file, saving: true)
        let applying = try Self.parsed()
        controller.seed([applying], blob: blob)
        #expect(applying.knownHashes == Resource.KnownHashes())
        // What the file holds already is not written again.
        let inode = try FileManager.default.attributesOfItem(atPath: file)[.systemFileNumber] as? Int
        controller.save([(blob, [made])], resolved: [made.identity: [Resolution(version: "9.9.9", runtimeAdapter: "x"): String(repeating: "e", count: 64)]])
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.systemFileNumber] as? Int == inode)
        controller.save([(blob, [made])], resolved: [:])
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.systemFileNumber] as? Int != inode, "replaced when it changed")
    }
}
