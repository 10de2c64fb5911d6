@testable import Controller
import Foundation
import StewardTesting
import Testing

/// Unusual input that is legal, or that Steward deliberately skips: here "refused" means handled
/// correctly, decided per case against DESIGN §2 (every `.yaml`/`.yml` file is read as YAML 1.2 core).
@Suite("Hostile but legal inputs are handled correctly through the controller", .serialized)
struct HostileLegalInputTests {
    /// Fixture folders copied over the repository root.
    static let folders = ["bom", "crlf", "cr-only", "yaml11-scalars"]

    private func copyFolder(_ name: String, into bench: HostileBench) throws {
        let root = HostileInputTests.fixtures + "/" + name
        let walker = try #require(FileManager.default.enumerator(atPath: root))
        while let relative = walker.nextObject() as? String {
            guard walker.fileAttributes?[.type] as? FileAttributeType == .typeRegular else { continue }
            try bench.repo.write(relative, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative))))
        }
    }

    /// A UTF-8 byte order mark is allowed by YAML 1.2 and ignored: the file applies, and the mark is
    /// not part of any value (the name is still `desktop-main`).
    @Test func byteOrderMarkIsIgnored() async throws {
        try await HostileBench.with { bench in
            try await bench.expectAccepted("bom") { try copyFolder("bom", into: bench) }
            let applied = try #require(bench.fleetFile("staging/adapters/desktop-main.json"))
            #expect(applied.contains("\"memoryMb\":2048"))
            #expect(applied.contains("\"name\":\"desktop-main\""))
            #expect(!applied.contains("\u{FEFF}"))
        }
    }

    /// CRLF and lone CR are YAML line breaks: the file applies and no `\r` leaks into values.
    @Test(arguments: [("crlf", 3072), ("cr-only", 1536)])
    func foreignLineEndingsApply(_ folder: String, _ memory: Int) async throws {
        try await HostileBench.with { bench in
            try await bench.expectAccepted(folder) { try copyFolder(folder, into: bench) }
            let applied = try #require(bench.fleetFile("staging/adapters/desktop-main.json"))
            #expect(applied.contains("\"memoryMb\":\(memory)"))
            #expect(applied.contains("\"description\":\"Sandboxed desktop runtime for assistant agents\""))
            #expect(!applied.contains("\\r") && !applied.contains("\r"))
        }
    }

    /// YAML 1.1 scalars are not coerced: `yes`/`on`/`no` stay strings where strings are expected
    /// (labels), and `0755` is the core-schema integer 755, never octal 493.
    @Test func yaml11ScalarsStayYAML12() async throws {
        try await HostileBench.with { bench in
            try await bench.expectAccepted("yaml11-scalars") { try copyFolder("yaml11-scalars", into: bench) }
            let applied = try #require(bench.fleetFile("staging/adapters/desktop-main.json"))
            for label in ["\"answer\":\"yes\"", "\"country\":\"no\"", "\"mode\":\"0755\"", "\"power\":\"on\""] {
                #expect(applied.contains(label), "\(label) in \(applied)")
            }
            #expect(applied.contains("\"memoryMb\":755"))
        }
    }

    /// Symlinks in the tree are skipped (and reported as warnings), never followed: a link to a file
    /// outside the repository or to another manifest adds nothing, and the rest of the commit applies.
    @Test func symlinksAreSkippedNotFollowed() async throws {
        try await HostileBench.with { bench in
            let outside = try TemporaryDirectory(prefix: "steward-outside")
            try "apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: from-outside}\nspec: {runtimeType: desktop}\n"
                .write(toFile: outside.path + "/evil.yaml", atomically: true, encoding: .utf8)
            try await bench.expectAccepted("symlinks") {
                try bench.repo.symlink("hostile/outside.yaml", to: outside.path + "/evil.yaml")
                try bench.repo.symlink("hostile/passwd.yaml", to: "/etc/passwd")
                try bench.repo.symlink("hostile/loop.yaml", to: "loop.yaml")
                try bench.repo.symlink("hostile/copy.yaml", to: "../adapters/desktop-main.yaml")   // followed, it would be a duplicate
                try bench.repo.symlink("hostile/folder", to: outside.path)
                try bench.addBait()
            }
            #expect(bench.baitApplied)
            let names = try await bench.store.resources().map(\.key.name)
            #expect(!names.contains("from-outside"))
            let warnings = try bench.reconcilerWarnings()
            #expect(warnings.contains("skipped symlink hostile/outside.yaml") && warnings.contains("skipped symlink hostile/copy.yaml"), "\(warnings)")
        }
    }

    /// A submodule (gitlink) entry is skipped and reported; the rest of the commit applies.
    @Test func submoduleIsSkipped() async throws {
        try await HostileBench.with { bench in
            let head = try bench.repo.git("rev-parse", "HEAD")
            try await bench.expectAccepted("submodule") {
                try bench.repo.write(".gitmodules", "[submodule \"fleet\"]\n\tpath = hostile/fleet\n\turl = ../../../etc\n")
                try bench.repo.addSubmoduleEntry(path: "hostile/fleet", sha: head)
                try bench.addBait()
            }
            #expect(bench.baitApplied)
            #expect(try bench.reconcilerWarnings().contains("skipped submodule hostile/fleet"))
        }
    }

    @Test func fixtureFoldersExist() {
        for folder in Self.folders {
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: HostileInputTests.fixtures + "/" + folder, isDirectory: &isDirectory) && isDirectory.boolValue)
        }
    }
}

extension HostileBench {
    /// The warnings of validating the branch tip the way the controller does (skipped entries).
    func reconcilerWarnings() throws -> [String] {
        let repository = try reconciler.settings.openSource()
        return try ManifestSource.validate(repository, revision: "main", subPath: ".", options: .init()).report.warnings
    }
}
