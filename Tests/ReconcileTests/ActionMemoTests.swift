import Foundation
import Manifests
import Reconcile
import Testing

/// What an action makes once (its document text and keys) always agrees with its fields, for it
/// and every copy; and is not part of its value.
@Suite("PlannedAction: text and keys made once")
struct ActionMemoTests {
    private static func action(kind: ActionKind = .deploy, trigger: String = "c1", document: JSONValue? = nil) -> PlannedAction {
        PlannedAction(kind: kind, key: ResourceKey(kind: .deployment, name: "nav", environment: "staging"), change: .create,
                      document: document ?? .object(["kind": .string("Deployment"), "spec": .object(["replicas": .double(1.0)])]),
                      specHash: ContentHash.sha256Hex("nav"), version: "1.0.0", commit: "c1", trigger: trigger, reason: "new in Git")
    }

    @Test func keysAndTextAreThoseOfTheFields() {
        let action = Self.action()
        let parts = ["deploy", "Deployment/nav", "staging", "1.0.0", ContentHash.sha256Hex("nav"), "c1"]
        #expect(action.idempotencyKey == ContentHash.sha256Hex(JSONValue.array(parts.map(JSONValue.string)).canonicalBytes))
        #expect(action.effectKey == ContentHash.sha256Hex(JSONValue.array(parts.dropLast().map(JSONValue.string)).canonicalBytes))
        #expect(action.documentText == #"{"kind":"Deployment","spec":{"replicas":1}}"#)
        // Asked again, and from a copy: the same.
        let copy = action
        #expect(copy.idempotencyKey == action.idempotencyKey && copy.documentText == action.documentText)
    }

    /// A copy whose fields change (as the smoke test made from a deploy) gets its own keys and text;
    /// the original keeps its.
    @Test func aChangedCopyMakesItsOwn() {
        let deploy = Self.action()
        let key = deploy.idempotencyKey, effect = deploy.effectKey, text = deploy.documentText
        var smoke = deploy
        smoke.kind = .smokeTest
        smoke.trigger = key
        #expect(smoke.idempotencyKey == Self.action(kind: .smokeTest, trigger: key).idempotencyKey)
        #expect(smoke.idempotencyKey != key && smoke.effectKey != effect)
        #expect(deploy.idempotencyKey == key && deploy.effectKey == effect)
        var edited = deploy
        edited.document = .object(["kind": .string("Deployment")])
        #expect(edited.documentText == #"{"kind":"Deployment"}"#)
        #expect(deploy.documentText == text)
        var moved = deploy
        moved.key.environment = "production"
        #expect(moved.idempotencyKey != key)
        var retagged = deploy
        retagged.version = "2.0.0"
        #expect(retagged.idempotencyKey != key && retagged.effectKey != effect)
        var rehashed = deploy
        rehashed.specHash = ContentHash.sha256Hex("other")
        #expect(rehashed.effectKey != effect)
    }

    /// Equality, hashing and encoding see the fields only: an action that made its keys equals one
    /// that did not, and the encoding names no memo.
    @Test func theMemoIsNotPartOfTheValue() throws {
        let document: JSONValue = .object(["kind": .string("Deployment"), "spec": .object(["replicas": .int(2)])])
        let asked = Self.action(document: document)
        _ = asked.idempotencyKey
        _ = asked.documentText
        let fresh = Self.action(document: document)
        #expect(asked == fresh)
        #expect(Set([asked, fresh]).count == 1)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let encoded = try encoder.encode(asked)
        #expect(encoded == (try encoder.encode(fresh)))
        #expect(!String(decoding: encoded, as: UTF8.self).contains("memo"))
        let decoded = try JSONDecoder().decode(PlannedAction.self, from: encoded)
        #expect(decoded == asked && decoded.idempotencyKey == asked.idempotencyKey)
    }
}
