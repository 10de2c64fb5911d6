@testable import Manifests
import Testing

/// libyaml refuses an implicit key whose `:` is more than 1,024 characters after the key's start
/// (quotes included). The fast block scanner must refuse, or leave to libyaml, exactly those keys,
/// so both paths give one verdict; the boundary is checked for plain, single- and double-quoted
/// keys in block mappings, in list items and in flow mappings.
@Suite("Mapping keys at libyaml's 1,024-character limit")
struct LongKeyTests {
    enum Style: String, CaseIterable, Sendable { case plain, single, double }
    enum Place: String, CaseIterable, Sendable { case block, item, flow }

    struct Case: Sendable, CustomTestStringConvertible {
        var style: Style, place: Place, length: Int
        var testDescription: String { "\(style) \(place) key of \(length)" }

        /// The key as written: `length` characters of text, quoted or not.
        var key: String {
            let text = String(repeating: "k", count: length)
            switch style {
            case .plain: return text
            case .single: return "'\(text)'"
            case .double: return "\"\(text)\""
            }
        }

        /// What libyaml measures: from the key's first character to its `:`.
        var span: Int { key.count }

        var text: String {
            let config: String
            switch place {
            case .block: config = "  config:\n    \(key): v\n"
            case .item: config = "  config:\n    items:\n      - \(key): v\n"
            case .flow: config = "  config: {\(key): v}\n"
            }
            return "apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: r}\nspec:\n  runtimeType: cloud\n" + config
        }

        /// Line and column of the key.
        var keyPosition: (line: Int, column: Int) {
            switch place {
            case .block: return (7, 5)
            case .item: return (8, 9)
            case .flow: return (6, 12)
            }
        }
    }

    static let cases: [Case] = Style.allCases.flatMap { style in
        Place.allCases.flatMap { place in (1_021...1_026).map { Case(style: style, place: place, length: $0) } }
    }

    @Test(arguments: cases)
    func bothPathsGiveLibyamlsVerdict(_ key: Case) {
        let accepted = key.span <= 1_024
        let outcome = BothPaths.parse(key.text)
        let scanned = Array(key.text.utf8).withUnsafeBufferPointer { BlockYAMLScanner.compose($0, limits: .standard) }
        let composed = Array(key.text.utf8).withUnsafeBufferPointer { FastYAMLTree.compose($0, limits: .standard) }
        #expect((composed != nil) == accepted, "libyaml's own verdict")
        if accepted {
            #expect(outcome.errors == [])
            #expect(outcome.fast)
            #expect(scanned != nil, "the block scanner takes keys up to the limit")
            #expect(scanned?.nodes == composed?.nodes && scanned?.children == composed?.children)
            guard case .runtimeAdapter(let adapter)? = outcome.result.resources.first?.body else { return }
            let config = adapter.spec.config
            let value = key.place == .item ? config?["items"]?.array?.first : config
            #expect(value?[String(repeating: "k", count: key.length)] == .string("v"))
        } else {
            #expect(scanned == nil, "the block scanner must leave a key libyaml refuses to libyaml")
            #expect(!outcome.fast)
            let (line, column) = key.keyPosition
            #expect(outcome.errors == [
                "case.yaml:\(line):\(column): invalid YAML: this mapping key runs \(key.span) characters up to its ':', more than the 1024 YAML allows for a key without '?'",
            ])
        }
    }

    /// Blanks before the `:` count; libyaml's other wording for the same limit (a key at its
    /// mapping's indentation, "could not find expected ':'") is explained the same way.
    @Test func blanksBeforeTheColonCount() {
        let key = String(repeating: "k", count: 1_023)
        let text = "a:\n  b: 1\n  \(key)  : v\n"
        #expect(BothPaths.parse(text).errors == [
            "case.yaml:3:3: invalid YAML: this mapping key runs 1025 characters up to its ':', more than the 1024 YAML allows for a key without '?'",
        ])
        // One blank fewer: the YAML is read (and refused only as a manifest, which it is not).
        #expect(BothPaths.parse("a:\n  b: 1\n  \(key) : v\n").errors == ["case.yaml:1:1: kind: required field 'kind' is missing"])
    }
}
