@testable import Actions
import Foundation
import Manifests
import Reconcile
import Testing

/// The local driver's expected file bytes, built from the canonical text the store keeps without
/// parsing it (`CanonicalSplice`), are byte for byte what writing the document with its `steward`
/// block gives — and every text the splice cannot handle falls back to that writing.
@Suite("CanonicalSplice: the expected file from the stored text, byte for byte")
struct CanonicalSpliceTests {
    private static let block: JSONValue = .object(["commit": .string("c0ffee1"), "version": .string("1.2.0"), "environment": .string("staging")])

    private static let documents: [JSONValue] = [
        .object([:]),
        .object(["apiVersion": .string("steward/v1"), "kind": .string("Deployment"),
                 "metadata": .object(["name": .string("nav-staging"), "labels": .object(["team": .string("edge")])]),
                 "spec": .object(["blueprint": .string("nav"), "version": .string("1.2.0"),
                                  "steward": .string("a member named steward, one level down"),
                                  "config": .object(["quote": .string("say \"hi\" {not a brace}, [nor this]"), "list": .array([.int(1), .null, .bool(true)]),
                                                     "ünïcode": .string("日本語 🚀"), "temperature": .double(0.7)])])]),
        .object(["a": .array([.object(["zeta": .int(1)])]), "sa": .string("\\back\\slash"), "stew": .int(1)]),
        .object(["stewar": .int(1)]),
    ]

    /// Documents with a key that sorts at or after `steward`, or written with an escape: the splice
    /// declines them (the probe then writes the value out instead).
    private static let declined: [JSONValue] = [
        .object(["apiVersion": .string("v1"), "zeta": .int(1)]),
        .object(["steward": .object(["commit": .string("old")])]),
        .object(["t": .int(1)]),
        .object(["steward0": .int(1)]),
        .object(["tab\tkey": .int(1)]),
        .array([.int(1)]),
    ]

    @Test func theSpliceIsTheCanonicalWritingOfTheObjectWithTheMember() throws {
        for document in Self.documents {
            guard case .object(var members) = document else { continue }
            let text = String(decoding: document.canonicalBytes, as: UTF8.self)
            let spliced = try #require(CanonicalSplice.appendingLast(to: text, key: "steward", value: Self.block), "\(text)")
            members["steward"] = Self.block
            #expect(spliced == JSONValue.object(members).canonicalBytes, "\(text)")
        }
        for document in Self.declined {
            let text = String(decoding: document.canonicalBytes, as: UTF8.self)
            #expect(CanonicalSplice.appendingLast(to: text, key: "steward", value: Self.block) == nil, "\(text)")
        }
        #expect(CanonicalSplice.appendingLast(to: "{\"a\":1", key: "steward", value: Self.block) == nil, "not a whole object")
    }

    /// Through the probe's own path: a resource whose spec the store kept as text gets the same
    /// expected bytes as one whose spec is a value, and its spec is never turned into a value.
    @Test func anAppliedResourceFromStoredTextExpectsTheSameBytesWithoutParsing() throws {
        let key = ResourceKey(kind: .deployment, name: "nav-staging", environment: "staging")
        for document in Self.documents + Self.declined where document.typeDescription == JSONValue.object([:]).typeDescription {
            let text = String(decoding: document.canonicalBytes, as: UTF8.self)
            let stored = AppliedSpec(text: text, read: { _ in document })
            let fromText = AppliedResource(key: key, specHash: "h", storedSpec: stored, commit: "c0ffee1", version: "1.2.0",
                                           sync: .synced, health: .healthy, message: nil, conditions: [], createdAt: Date(), updatedAt: Date())
            let fromValue = AppliedResource(key: key, specHash: "h", spec: document, commit: "c0ffee1", version: "1.2.0",
                                            createdAt: Date(), updatedAt: Date())
            let expected = try LocalDriver.expectedContent(for: fromValue, environment: "staging")
            #expect(try LocalDriver.expectedContent(for: fromText, environment: "staging") == expected, "\(text)")
            let spliceable = Self.documents.contains(document)
            #expect(stored.isRead == !spliceable, "\(text): parsed only when the splice declined")
        }
    }

    /// Through the write's own path: an action's file is spliced from its document text (made
    /// once for the action), byte for byte what writing the document out gives, and the copy the
    /// smoke test makes shares that text.
    @Test func anActionsFileIsSplicedFromItsDocumentText() throws {
        let key = ResourceKey(kind: .deployment, name: "nav-staging", environment: "staging")
        for document in Self.documents + Self.declined {
            let action = PlannedAction(kind: .deploy, key: key, change: .create, document: document, specHash: "h", version: "1.2.0",
                                       commit: "c0ffee1", trigger: "c0ffee1", reason: "new in Git")
            let request = ActionRequest(action: action, environment: "staging", idempotencyKey: action.idempotencyKey)
            let written = try? LocalDriver.content(document: document, key: key, commit: "c0ffee1", version: "1.2.0", environment: "staging")
            #expect((try? LocalDriver.expectedContent(for: request)) == written, "\(document)")
            #expect(action.documentText == document.canonicalJSON)
        }
    }
}
