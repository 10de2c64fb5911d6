import Foundation
@testable import Manifests
import StewardTesting
import Testing

/// `BlockYAMLScanner` must give exactly the tree libyaml's events compose (nodes, styles, marks,
/// texts) wherever it gives one, and leave everything else to libyaml.
@Suite("Block YAML scanner agrees with libyaml")
struct BlockYAMLScannerTests {
    private struct Outcome {
        var scanned: FastYAMLTree?
        var composed: FastYAMLTree?

        /// Nothing scanned, or scanned as libyaml composes it (after the pre-scan the general path runs).
        var agrees: Bool {
            guard let scanned else { return true }
            guard let composed else { return false }
            return scanned.nodes == composed.nodes && scanned.children == composed.children && scanned.roots == composed.roots
        }
    }

    private func outcome(_ bytes: [UInt8]) -> Outcome {
        bytes.withUnsafeBufferPointer { buffer in
            let composed = YAMLPreScanner(limits: .standard).scan(buffer) == nil && String(validating: buffer, as: UTF8.self) != nil
                ? FastYAMLTree.compose(buffer, limits: .standard) : nil
            return Outcome(scanned: BlockYAMLScanner.compose(buffer, limits: .standard), composed: composed)
        }
    }

    static let accepted: [String] = [
        "a: b\n",
        "a:\n  b: c\n  d:\n    - x\n    - y\n",
        "a:\n- x\n- y\nb: c\n",
        "a:\n  - - x\n    - y\n  - z\n",
        "items:\n  - name: a\n    value: 1\n  - name: b\n    list:\n    - p\n    - q\n",
        "# c\na: b # c\n   # c\nc:   # c\n  d: e\n\n\n",
        "\"a b\": 'c''d'\n'e': \"f # g\"\nh : i\n\"j\" : k\n",
        "a: [x, y z, 'q', \"r\"]\nb: []\nc: {}\nd: [ -1 , 2 ]\ne: [ ]\nf: { }\n",
        "p: |\n  one\n\n  two\n    three\n\nq: |-\n  x\n  y\nr: x\n",
        "p: |-\n  x",
        "p: |\n  # not a comment\n  x\n# a comment\nq: r\n",
        "a:\n  p: |  # header comment\n    x\n\n\n  q: y\n",
        "- |\n  x\n- y\n- |-\n  z\n",
        "---\na: b\n--- # c\nc: d\n---\ne: f\n",
        "a: http://x.y/z?q=1#frag\nb: a#b\nc: -5\nd: x:y\ne: 'x' \nf: true\ng: ~\nh: 1.5e3\n",
        "a: b   \nc:   \n  - d  \n  -   e\n",
        "  a: b\n  c: d\n",
        "- a: b\n  c:\n  - d\n  - e\n- f\n",
        "a b-c: d\n-x: y\nk.l/m: n\n",
        "a:\n  - b:\n      c: d\n    e: f\n",
        "- - - x\n    - y\n  - z\n",
        "a: ''\nb: \"\"\nc: '#'\nd: \" x \"\n",
        "x: 1\ny:\n  z:\n    w: [a]\n",
        "a: {b: c, d: [e, f], g: {h: i}}\nj: [k, [l, m], {n: o}, []]\np: { \"q\": 'r' , s : -1 }\n",
        "- {a: b}\n- [c]\n",
        FleetFixtures.adapter, FleetFixtures.blueprint, FleetFixtures.environments,
    ]

    @Test func acceptedShapesComposeAsLibyamlDoes() {
        for text in Self.accepted {
            let result = outcome(Array(text.utf8))
            #expect(result.scanned != nil, "not scanned: \(text.debugDescription)")
            #expect(result.agrees, "disagrees with libyaml: \(text.debugDescription)")
        }
    }

    @Test func shapesOutsideItsYAMLAreLeftToLibyaml() {
        let outside = [
            "a: b\n\tc: d\n", "a: b\r\n", "a: \u{E9}\n", "a: b\u{7F}\n",
            "a: &x b\n", "a: *x\n", "a: !!str b\n", "a: ! b\n", "a: [!!int 1]\n", "a: {b: !!bool true}\n", "!!str a: b\n",
            "- !!str a\n", "a: !<tag:yaml.org,2002:str> b\n", "a: !!map\n  b: c\n", "? a\n: b\n", "a: @b\n", "a: `b\n",
            "a: >\n  folded\n", "a: |+\n  x\n", "a: |2\n  x\n", "a: |\n\n  x\n", "a: |\n", "a: |\nb: c\n", "a: |x\n  y\n",
            "a: \"x\\ny\"\n", "a: 'multi\n  line'\n", "a: multi\n  line\n", "a:\n  scalar on its own line\n",
            "a:\nb: c\n", "a:\n", "- \n- b\n", "-\n",
            "a: b: c\n", "a: - b\n", "a: b\n c: d\n", "a:\n  b: c\n d: e\n", "- a\nb: c\n", "a: b\n- c\n",
            "%YAML 1.1\n---\na: b\n", "a: b\n...\n", "---\n---\na: b\n", "--- a: b\n",
            "a: [x,\n  y]\n", "a: {b}\n", "a: {b: }\n", "a: {[b]: c}\n", "a: {\"b\":c}\n", "a: [b:c]\n", "a: [x #c]\n", "a: [x,]\n", "a: [,x]\n", "a: [x y: z]\n", "a: [x]#c\n",
            "just a scalar\n", "a: b\na: c\n", "<<: x\na: b\n", "a: \"x\"y\n", "key: value\n  - x\n", "[a]: b\n",
            "a: b #c\n  d: e\n", "a: 'x'#c\n",
        ]
        for text in outside {
            #expect(outcome(Array(text.utf8)).scanned == nil, "scanned: \(text.debugDescription)")
        }
    }

    /// The word-at-a-time check agrees with a byte-by-byte one for every byte value at every
    /// position of a word and of the tail.
    @Test func printableASCIICheckMatchesByteByByte() {
        let base = Array("key: value\n  - item # note\n".utf8)
        for byte in UInt8.min...UInt8.max {
            let expected = (0x20...0x7E).contains(byte) || byte == 0x0A
            for position in 0..<base.count {
                var bytes = base
                bytes[position] = byte
                let result = bytes.withUnsafeBufferPointer { BlockYAMLScanner.isPrintableASCII($0) }
                if result != expected { Issue.record("byte \(byte) at \(position): \(result)") ; return }
            }
        }
        #expect(base.withUnsafeBufferPointer { BlockYAMLScanner.isPrintableASCII($0) })
    }

    @Test func everyGeneratedManifestIsScannedAsLibyamlComposesIt() throws {
        let directory = try TemporaryDirectory()
        let generator = StewardProcess.packageRoot.appendingPathComponent("scripts/gen-fleet").path
        let result = try Subprocess.run("/usr/bin/env", ["python3", generator, directory.path + "/fleet", "--count", "300"])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try generatedFiles(directory.path + "/fleet")
        #expect(files.count == 300)
        for (path, bytes) in files {
            let result = outcome(bytes)
            #expect(result.scanned != nil, "not scanned: \(path)")
            #expect(result.agrees, "disagrees with libyaml: \(path)")
        }
        // The corpus and examples: whatever is scanned agrees.
        let root = StewardProcess.packageRoot
        var scanned = 0
        for folder in ["Tests/Fuzz/corpus", "examples"] {
            for (path, bytes) in try generatedFiles(root.appendingPathComponent(folder).path) {
                let result = outcome(bytes)
                #expect(result.agrees, "disagrees with libyaml: \(path)")
                if result.scanned != nil { scanned += 1 }
            }
        }
        #expect(scanned > 10)
    }

    /// Random edits (YAML's significant characters inserted, bytes deleted or replaced) of accepted
    /// shapes and generated manifests: wherever the scanner still gives a tree, it is libyaml's.
    /// STEWARD_SCANNER_ROUNDS and STEWARD_SCANNER_SEED run it longer or differently.
    @Test func randomEditsNeverMakeItDisagree() throws {
        let environment = ProcessInfo.processInfo.environment
        let rounds = Int(environment["STEWARD_SCANNER_ROUNDS"] ?? "") ?? 6_000
        let directory = try TemporaryDirectory()
        let generator = StewardProcess.packageRoot.appendingPathComponent("scripts/gen-fleet").path
        _ = try Subprocess.run("/usr/bin/env", ["python3", generator, directory.path + "/fleet", "--count", "60"])
        let bases = Self.accepted.map { Array($0.utf8) } + (try generatedFiles(directory.path + "/fleet")).map(\.bytes)
        let pieces = [" ", "  ", "\n", "\n  ", "\n- ", "-", "- ", ":", ": ", "#", " #", "'", "\"", "''", "[", "]", "{", "}",
                      ",", "|", "|-", ">", "a", "1", "---\n", "\t", "~", "\\", "!!str ", "!!int ", "! ", "!"].map { Array($0.utf8) }
        var generator64 = SplitMix64(seed: UInt64(environment["STEWARD_SCANNER_SEED"] ?? "") ?? 8)
        var failures: [String] = []
        var scanned = 0, left = 0
        for round in 0..<rounds {
            var bytes = bases[round % bases.count]
            for _ in 0...Int(generator64.next() % 3) where !bytes.isEmpty {
                let at = Int(generator64.next() % UInt64(bytes.count))
                switch generator64.next() % 3 {
                case 0: bytes.insert(contentsOf: pieces[Int(generator64.next() % UInt64(pieces.count))], at: at)
                case 1: bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(generator64.next() % 3)))
                default: bytes.replaceSubrange(at...at, with: pieces[Int(generator64.next() % UInt64(pieces.count))])
                }
            }
            let result = outcome(bytes)
            if result.scanned != nil { scanned += 1 } else { left += 1 }
            if !result.agrees, failures.count < 5 { failures.append(String(decoding: bytes, as: UTF8.self).debugDescription) }
        }
        #expect(failures.isEmpty, "disagrees with libyaml: \(failures.joined(separator: "\n"))")
        #expect(scanned > rounds / 6 && left > rounds / 6, "scanned \(scanned), left to libyaml \(left)")
    }

    private func generatedFiles(_ folder: String) throws -> [(path: String, bytes: [UInt8])] {
        let walker = FileManager.default.enumerator(atPath: folder)
        var files: [(String, [UInt8])] = []
        while let path = walker?.nextObject() as? String {
            guard FleetValidator.isManifestPath(path) else { continue }
            files.append((path, Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + path)))))
        }
        return files.sorted { $0.0 < $1.0 }
    }
}
