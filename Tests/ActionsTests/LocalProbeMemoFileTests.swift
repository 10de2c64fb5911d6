@testable import Actions
import Foundation
import StewardTesting
import Testing

/// The probe memo saved for the next process (`.steward/cache/probe-memo`): it vouches there only
/// under the rules it has in the process that read the file — same applied content, same identity,
/// within the interval.
@Suite struct LocalProbeMemoFileTests {
    @Test func aSavedMemoVouchesInAnotherProcessOnlyForUntouchedFiles() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/nav-staging.json"
        let text = "{\"version\":\"1.2.0\"}\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let identity = try #require(LocalProbeMemo.identity(path))
        let settled = identity.changedAt + LocalProbeMemo.settleSeconds + 1
        let file = dir.path + "/cache/probe-memo"

        let first = LocalProbeMemo()
        first.attach(file)
        first.save()
        #expect(!FileManager.default.fileExists(atPath: file), "nothing learnt, nothing written")
        first.remember(path, content: "applied A", before: identity, after: identity, now: settled)
        first.save()
        #expect(FileManager.default.fileExists(atPath: file))

        let second = LocalProbeMemo()
        second.attach(file, saving: false)
        #expect(second.unchanged(path, content: "applied A", maxAge: 600, now: settled + 1))
        #expect(!second.unchanged(path, content: "applied B", maxAge: 600, now: settled + 1), "another applied content")
        #expect(!second.unchanged(path, content: "applied A", maxAge: 600, now: settled + 601), "past the interval")
        #expect(!second.unchanged(path, content: "applied A", maxAge: 600, now: settled - 10), "read after now: the clock was set back")
        #expect(!second.unchanged(dir.path + "/other.json", content: "applied A", maxAge: 600, now: settled + 1))

        // A hand edit of the same size, its modification time put back: the change time moved.
        let modified = try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
        try text.replacingOccurrences(of: "1.2.0", with: "1.2.9").write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
        #expect(!second.unchanged(path, content: "applied A", maxAge: 600, now: settled + 1))
        // Replaced by another file with the same bytes: another inode.
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(!second.unchanged(path, content: "applied A", maxAge: 600, now: settled + 1))

        // A memo attached without saving (a read command) learns, and writes nothing.
        let saved = try FileManager.default.contents(atPath: file)
        let fresh = try #require(LocalProbeMemo.identity(path))
        second.remember(path, content: "applied B", before: fresh, after: fresh, now: fresh.changedAt + LocalProbeMemo.settleSeconds + 1)
        second.save()
        #expect(try FileManager.default.contents(atPath: file) == saved)
    }

    @Test func aMemoFileThatIsNotOneIsIgnoredAndATornRecordIsLeftOut() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/adapter.json"
        try "{}".write(toFile: path, atomically: true, encoding: .utf8)
        let identity = try #require(LocalProbeMemo.identity(path))
        let now = identity.changedAt + LocalProbeMemo.settleSeconds + 1
        let file = dir.path + "/probe-memo"

        try Data(repeating: 0x41, count: 500).write(to: URL(fileURLWithPath: file))
        let garbage = LocalProbeMemo()
        garbage.attach(file)
        #expect(!garbage.unchanged(path, content: "c", maxAge: 600, now: now))
        garbage.remember(path, content: "c", before: identity, after: identity, now: now)
        garbage.save()   // written over with a memo of its own

        var bytes = try #require(FileManager.default.contents(atPath: file))
        #expect(bytes.count == LocalProbeMemo.magic.count + LocalProbeMemo.recordSize)
        bytes += bytes.suffix(LocalProbeMemo.recordSize / 2)   // half a record more
        try bytes.write(to: URL(fileURLWithPath: file))
        let torn = LocalProbeMemo()
        torn.attach(file)
        #expect(torn.unchanged(path, content: "c", maxAge: 600, now: now))
    }
}
