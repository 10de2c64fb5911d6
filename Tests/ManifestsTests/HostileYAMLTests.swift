import Manifests
import Testing

@Suite("Hostile YAML is refused before it can hurt")
struct HostileYAMLTests {
    private func refuse(_ bytes: [UInt8]) -> [String] {
        ManifestParser.parse(file: "evil.yaml", bytes: bytes).errors.map(\.description)
    }

    private func refuse(_ text: String) -> [String] { refuse(Array(text.utf8)) }

    @Test func deepFlowNesting() {
        for depth in [65, 40_000, 100_000] {
            let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            #expect(refuse(text) == ["evil.yaml:1:65: nesting deeper than 64 levels"])
        }
        let mapping = String(repeating: "{a: ", count: 70_000) + "1" + String(repeating: "}", count: 70_000)
        #expect(refuse(mapping) == ["evil.yaml:1:257: nesting deeper than 64 levels"])
    }

    @Test func deepBlockNesting() {
        var text = ""
        for level in 0..<80 { text += String(repeating: " ", count: level) + "k\(level):\n" }
        text += String(repeating: " ", count: 80) + "v\n"
        let found = refuse(text)
        #expect(found.count == 1)
        #expect(found.first?.contains("nesting deeper than 64 levels") == true)
    }

    @Test func shallowNestingAndBracketsInTextAreFine() {
        let text = """
            apiVersion: steward/v1
            kind: BackupSchedule
            metadata: {name: ok, annotations: {note: "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}}
            spec:
              schedule: "0 * * * *"   # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[
              target: command
              command: [./backup.sh, "--label=[x]"]
              destination: |
                [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[
            """
        #expect(refuse(text) == [])
    }

    @Test func billionLaughs() {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]\n"
        }
        let found = refuse(text)
        #expect(found.count == 1)
        #expect(found.first?.contains("alias expansion exceeds 10000 nodes") == true)
    }

    @Test func aliasAsKeyAndComplexKeys() {
        #expect(refuse("a: &x [1, 2]\n*x : b\n") == ["evil.yaml:2:1: an alias cannot be used as a mapping key"])
        #expect(refuse("? [a, b]\n: c\n") == ["evil.yaml:1:1: complex mapping keys ('?') are not supported"])
        #expect(refuse("[a, b]: c\n") == ["evil.yaml:1:7: a list or mapping cannot be used as a mapping key"])
    }

    @Test func hugeScalarAndFileSize() {
        let big = "a: " + String(repeating: "x", count: 10 * 1024 * 1024) + "\n"
        #expect(refuse(big) == ["evil.yaml:1:1: file is 10485764 bytes, above the 1048576-byte limit"])
    }

    @Test func tooManyDocuments() {
        let text = String(repeating: "---\na: 1\n", count: 1_001)
        #expect(refuse(text) == ["evil.yaml:2001:1: more than 1000 documents in one file"])
    }

    @Test func nonCoreTagsAndDuplicateKeys() {
        #expect(refuse("a: !!python/object:os.system ls\n") == ["evil.yaml:1:4: tag '!!python/object:os.system' is not allowed: only YAML 1.2 core types are accepted"])
        #expect(refuse("a: !custom 1\n") == ["evil.yaml:1:4: tag '!custom' is not allowed: only YAML 1.2 core types are accepted"])
        let duplicate = refuse("kind: Deployment\nkind: Environment\n")
        #expect(duplicate.count == 1)
        #expect(duplicate.first?.contains("duplicate key 'kind'") == true)
    }

    @Test func invalidUTF8AndNUL() {
        #expect(refuse([0x61, 0x3A, 0x20, 0x0A, 0x62, 0x3A, 0x20, 0xFF, 0xFE, 0x0A]) == ["evil.yaml:2:4: file is not valid UTF-8"])
        let nul = refuse([0x61, 0x3A, 0x20, 0x00, 0x0A])
        #expect(nul.count == 1)
        #expect(nul.first?.contains("invalid YAML") == true)
    }

    @Test func bomAndCRLFAreAccepted() {
        let text = "\u{FEFF}apiVersion: steward/v1\r\nkind: BackupSchedule\r\nmetadata: {name: b}\r\nspec: {schedule: \"0 * * * *\", target: eventLog, destination: /b}\r\n"
        #expect(refuse(text) == [])
    }

    @Test func yaml11BooleansAndOctalsAreNotCoerced() {
        let text = "apiVersion: steward/v1\nkind: BackupSchedule\nmetadata: {name: b, labels: {a: yes, b: 0755}}\nspec: {schedule: \"0 * * * *\", target: eventLog, destination: /b, verify: on}\n"
        #expect(refuse(text) == ["evil.yaml:4:74: BackupSchedule/b: spec.verify: expected a boolean (true or false), got 'on'"])
    }
}
