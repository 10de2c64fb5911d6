@testable import Controller
import Foundation
import StewardTesting
import Testing

/// Hostile inputs too large to keep as fixtures, generated in the test and committed to a real
/// repository, plus the repository-level cases: empty repository, missing branch, force-push.
@Suite("Generated and repository-level hostile inputs", .serialized)
struct HostileGeneratedInputTests {
    @Test func flowNesting10kAnd100k() async throws {
        try await HostileBench.with { bench in
            let lists = "a: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n"
            try await bench.expectRefused("nesting-10k", containing: "hostile/nesting-10k.yaml:1:68: nesting deeper than 64 levels") {
                try bench.repo.write("hostile/nesting-10k.yaml", lists)
            }
            let maps = String(repeating: "{a: ", count: 100_000) + "1" + String(repeating: "}", count: 100_000) + "\n"
            try await bench.expectRefused("nesting-100k", containing: "hostile/nesting-100k.yaml:1:257: nesting deeper than 64 levels") {
                try bench.repo.write("hostile/nesting-100k.yaml", maps)
            }
        }
    }

    /// Files over 1 MiB are refused from the blob header, before their content is read.
    @Test func hugeScalarAndHugeBlob() async throws {
        try await HostileBench.with { bench in
            let justOver = "a: " + String(repeating: "x", count: (1 << 20) - 2) + "\n"
            try await bench.expectRefused("scalar-1mib-plus-2", containing: "hostile/just-over.yaml:1:1: hostile/just-over.yaml: file is 1048578 bytes, above the 1048576-byte limit") {
                try bench.repo.write("hostile/just-over.yaml", justOver)
            }
            let scalar = "a: " + String(repeating: "x", count: 10 << 20) + "\n"
            try await bench.expectRefused("scalar-10mb", containing: "hostile/scalar-10mb.yaml:1:1: hostile/scalar-10mb.yaml: file is 10485764 bytes, above the 1048576-byte limit") {
                try bench.repo.write("hostile/scalar-10mb.yaml", scalar)
            }
            try await bench.expectRefused("blob-100mb", containing: "hostile/blob-100mb.yaml:1:1: hostile/blob-100mb.yaml: file is 104857600 bytes, above the 1048576-byte limit") {
                try bench.repo.write("hostile/blob-100mb.yaml", bytes: [UInt8](repeating: UInt8(ascii: "x"), count: 100 << 20))
            }
        }
    }

    /// 50,000 unknown fields: every one is reported (file:line:col each), none is applied.
    @Test func fiftyThousandUnknownFields() async throws {
        try await HostileBench.with { bench in
            var text = "apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: wide}\nspec:\n  runtimeType: cloud\n"
            for index in 0..<50_000 { text += "  field\(index): \(index)\n" }
            try await bench.expectRefused("unknown-fields-50k", containing: "hostile/wide.yaml:6:3: RuntimeAdapter/wide: spec.field0: unknown field 'field0'") {
                try bench.repo.write("hostile/wide.yaml", text)
            }
        }
    }

    /// A commit that deletes every manifest (a wrong `source.path` looks the same) prunes nothing.
    @Test func commitWithoutResourcesIsRefused() async throws {
        try await HostileBench.with { bench in
            try await bench.expectRefused("all-files-deleted", containing: "no resources found") {
                for entry in try FileManager.default.contentsOfDirectory(atPath: bench.repo.path) where entry != ".git" {
                    try bench.repo.remove(entry)
                }
                try bench.repo.write("README.md", "nothing here\n")
            }
        }
    }

    /// A controller started on a repository without commits says so, and applies the first commit.
    @Test func emptyRepository() async throws {
        try await HostileBench.with(converge: false) { bench in
            let before = try await bench.snapshot()
            try await bench.checkRefused("empty-repository", containing: "is empty: revision 'main' has no commit yet", head: nil, before: before)
            #expect(before.resources.isEmpty && before.files.isEmpty)
            try await bench.recover()
        }
    }

    /// The watched branch disappears: the pass fails with the reason, nothing is pruned, and the
    /// branch coming back is applied.
    @Test func missingBranch() async throws {
        try await HostileBench.with { bench in
            let before = try await bench.snapshot()
            try bench.repo.git("branch", "-m", "main", "renamed")
            try await bench.checkRefused("missing-branch", containing: "revision 'main' not found", head: nil, before: before)
            try bench.repo.git("branch", "-m", "renamed", "main")
            try await bench.recover()
        }
    }
}
