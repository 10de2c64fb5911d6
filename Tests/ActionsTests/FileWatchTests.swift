import Foundation
import Glibc
import StewardTesting
import Testing
@testable import Actions

/// The change count of a watched folder tree (inotify): it stays while nothing changes, and moves
/// for every kind of change a hand edit can make — including ones that keep a file's size and
/// modification time, changes in folders made after the watch began, a root removed and made again,
/// a root reached through a link that is pointed elsewhere, and a kernel queue that overflowed.
@Suite("FileWatch: a change count per folder tree")
struct FileWatchTests {
    /// A watch of its own per test: counts in the shared one are the controller's.
    private func tree() throws -> (FileWatch, TemporaryDirectory) {
        let root = try TemporaryDirectory(prefix: "steward-watch")
        try FileManager.default.createDirectory(atPath: root.path + "/deployments", withIntermediateDirectories: true)
        try Data("one\n".utf8).write(to: URL(fileURLWithPath: root.path + "/deployments/a.json"))
        return (FileWatch(), root)
    }

    @Test func everyKindOfChangeMovesTheCount() throws {
        let (watch, root) = try tree()
        let file = root.path + "/deployments/a.json"
        var last = try #require(watch.count(root.path))
        #expect(watch.count(root.path) == last, "nothing changed")
        func changed(_ what: String, _ change: () throws -> Void) throws {
            try change()
            let now = try #require(watch.count(root.path), "\(what): still watched")
            #expect(now != last, "\(what) moved the count")
            last = now
            #expect(watch.count(root.path) == last, "\(what): and then it stays")
        }
        let modified = try #require(try FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date)
        try changed("same-size edit, modification time set back") {
            try Data("two\n".utf8).write(to: URL(fileURLWithPath: file))
            try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: file)
        }
        try changed("mode changed") { try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file) }
        try changed("replaced by a rename") {
            try Data("two\n".utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
        }
        try changed("removed") { try FileManager.default.removeItem(atPath: file) }
        try changed("a folder made") { try FileManager.default.createDirectory(atPath: root.path + "/blueprints/nav", withIntermediateDirectories: true) }
        try changed("a file written in the new folder") { try Data("x".utf8).write(to: URL(fileURLWithPath: root.path + "/blueprints/nav/1.0.0.json")) }
        try changed("a file in the new folder edited") {
            let handle = try #require(FileHandle(forWritingAtPath: root.path + "/blueprints/nav/1.0.0.json"))
            try handle.write(contentsOf: Data("y".utf8))
            try handle.close()
        }
        try changed("a folder moved in from outside") {
            let outside = try TemporaryDirectory(prefix: "steward-watch-outside")
            try FileManager.default.createDirectory(atPath: outside.path + "/moved", withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: outside.path + "/moved", toPath: root.path + "/adapters")
        }
        try changed("a file written in the folder moved in") { try Data("z".utf8).write(to: URL(fileURLWithPath: root.path + "/adapters/b.json")) }
        try changed("a folder moved within the tree") {
            try FileManager.default.moveItem(atPath: root.path + "/adapters", toPath: root.path + "/blueprints/adapters")
        }
        try changed("a file in the moved folder edited") { try Data("v".utf8).write(to: URL(fileURLWithPath: root.path + "/blueprints/adapters/b.json")) }
        try changed("the root removed and made again") {
            try FileManager.default.removeItem(atPath: root.path)
            try FileManager.default.createDirectory(atPath: root.path + "/deployments", withIntermediateDirectories: true)
        }
        try changed("a file in the root made again") { try Data("w".utf8).write(to: URL(fileURLWithPath: root.path + "/deployments/a.json")) }
    }

    @Test func nestedTreesBothSeeAChangeInTheInnerOne() throws {
        let (watch, root) = try tree()
        let inner = root.path + "/deployments"
        let outer = try #require(watch.count(root.path)), nested = try #require(watch.count(inner))
        try Data("two\n".utf8).write(to: URL(fileURLWithPath: inner + "/a.json"))
        let (outerNow, nestedNow) = (watch.count(root.path), watch.count(inner))
        #expect(outerNow != outer && nestedNow != nested)
        try Data("x".utf8).write(to: URL(fileURLWithPath: root.path + "/top.json"))
        #expect(watch.count(inner) == nestedNow, "a change outside the inner tree")
        #expect(watch.count(root.path) != outerNow)
    }

    @Test func aMissingRootHasNoCountUntilItExists() throws {
        let (watch, root) = try tree()
        let missing = root.path + "/not-yet"
        #expect(watch.count(missing) == nil, "nothing to watch: every probe reads")
        try FileManager.default.createDirectory(atPath: missing, withIntermediateDirectories: true)
        let first = try #require(watch.count(missing), "watched as soon as it exists")
        #expect(watch.count(missing) == first)
        #expect(watch.count(root.path + "/elsewhere", start: false) == nil, "not started: no count")
    }

    @Test func aRootThroughALinkPointedElsewhereIsAnotherTree() throws {
        let (watch, root) = try tree()
        let other = try TemporaryDirectory(prefix: "steward-watch-other")
        let link = root.path + "-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: root.path)
        defer { try? FileManager.default.removeItem(atPath: link) }
        let first = try #require(watch.count(link))
        try Data("two\n".utf8).write(to: URL(fileURLWithPath: root.path + "/deployments/a.json"))
        let second = try #require(watch.count(link))
        #expect(second != first, "a change under the link's folder is seen")
        try FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: other.path)
        let third = try #require(watch.count(link))
        #expect(third != second, "the link points elsewhere")
        try Data("x".utf8).write(to: URL(fileURLWithPath: other.path + "/new.json"))
        #expect(watch.count(link) != third, "a change in the folder it points to now is seen")
    }

    /// More events than the kernel queues (`fs.inotify.max_queued_events`) between two looks: the
    /// overflow counts every tree as changed and sets it up again, so folders made meanwhile are watched.
    @Test func anOverflowedQueueCountsEveryTreeAsChanged() throws {
        let (watch, root) = try tree()
        let queued = (try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 16384
        let before = try #require(watch.count(root.path))
        // Two files touched in turn (identical events in a row are merged by the kernel), then a folder made.
        let files = [root.path + "/deployments/a.json", root.path + "/deployments/b.json"]
        try Data("b".utf8).write(to: URL(fileURLWithPath: files[1]))
        for round in 0..<(queued / 2 + 100) {
            for (index, file) in files.enumerated() {
                var times = [timespec(tv_sec: 1_000_000 + round * 2 + index, tv_nsec: 0), timespec(tv_sec: 1_000_000, tv_nsec: 0)]
                #expect(utimensat(AT_FDCWD, file, &times, 0) == 0)
            }
        }
        try FileManager.default.createDirectory(atPath: root.path + "/late", withIntermediateDirectories: true)
        let after = try #require(watch.count(root.path))
        #expect(watch.overflows >= 1, "the queue overflowed")
        #expect(after != before)
        #expect(watch.count(root.path) == after)
        try Data("late".utf8).write(to: URL(fileURLWithPath: root.path + "/late/c.json"))
        #expect(watch.count(root.path) != after, "a folder made while events were lost is watched")
    }
}
