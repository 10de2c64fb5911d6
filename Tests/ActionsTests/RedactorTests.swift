@testable import Actions
import Foundation
import Manifests
import Testing

/// What `Redactor` catches (its doc comment lists it): the value, its JSON forms, any of them split
/// by line breaks, and the end of one cut off by a tail.
@Suite("Redactor")
struct RedactorTests {
    static let secret = "s3cr3t-AbCdEf-9x8y7z"

    /// Every run of 4 characters of `secret`: none may survive redaction.
    static func fragments(of secret: String, length: Int = 4) -> [String] {
        let characters = Array(secret)
        return (0...(characters.count - length)).map { String(characters[$0..<($0 + length)]) }
    }

    static func leaks(_ text: String, _ secret: String = secret) -> [String] {
        fragments(of: secret).filter { text.contains($0) }
    }

    @Test func replacesEverySecretLongestFirst() {
        let redactor = Redactor(secrets: ["abc", "abcdef", ""])
        #expect(redactor.redact("x abcdef y abc z") == "x [redacted] y [redacted] z")
        #expect(redactor.redact("nothing here\\n\r\n") == "nothing here\\n\r\n")
        #expect(Redactor(secrets: [""]).isEmpty)
        #expect(Redactor(secrets: []).redact("abc") == "abc")
    }

    @Test func jsonEscapedFormsAsEncodersWriteThem() throws {
        let secret = #"pa"ss\wo/rd-é-<x>&-😀"#
        let redactor = Redactor(secrets: [secret])
        let texts = [
            String(decoding: try JSONEncoder().encode(["token": secret]), as: UTF8.self),            // Foundation: \/
            String(decoding: try JSONSerialization.data(withJSONObject: ["token": secret]), as: UTF8.self),
            #"{"token": "pa\"ss\\wo/rd-\u00e9-<x>&-\ud83d\ude00"}"#,                                 // Python ensure_ascii
            #"{"token":"pa\"ss\\wo/rd-é-\u003cx\u003e\u0026-😀"}"#,                                   // Go
            #"{"token":"pa\"ss\\wo\/rd-\u00e9-\u003cx\u003e\u0026-\ud83d\ude00"}"#,
        ]
        for text in texts {
            let redacted = redactor.redact(text)
            #expect(redacted.hasSuffix(#""[redacted]"}"#), "\(text) → \(redacted)")
            #expect(!redacted.contains("ss") && !redacted.contains("rd"), "\(redacted)")
        }
    }

    @Test func aSecretSplitByLineBreaksIsRedactedWhole() {
        let redactor = Redactor(secrets: [Self.secret])
        let (head, tail) = (Self.secret.prefix(9), Self.secret.dropFirst(9))
        let cases = [
            "token: \(head)\n\(tail) end",                       // two echos
            "token: \(head)\r\n\(tail) end",                     // CRLF
            "token: " + Self.secret.map(String.init).joined(separator: "\n") + " end",   // fold -w 1
            #"{"message":"token: \#(head)\n\#(tail) end"}"#,     // a newline inside a JSON string
            #"{"message":"token: \#(head)\r\n\#(tail) end"}"#,
        ]
        for text in cases {
            let redacted = redactor.redact(text)
            #expect(Self.leaks(redacted).isEmpty, "\(text.debugDescription) → \(redacted.debugDescription)")
            #expect(redacted.contains("token: [redacted] end"), "\(redacted.debugDescription)")
        }
        // A multi-line secret (a key file) printed as is, or with CRLF line ends.
        let pem = "-----BEGIN KEY-----\nMIIBVwIBADANBgkq\nhkiG9w0BAQEFAASC\n-----END KEY-----"
        let multi = Redactor(secrets: [pem])
        #expect(multi.redact("key:\n\(pem)\ndone") == "key:\n[redacted]\ndone")
        #expect(multi.redact("key:\r\n" + pem.replacingOccurrences(of: "\n", with: "\r\n") + "\r\ndone") == "key:\r\n[redacted]\r\ndone")
        // Text around is left as it was, line breaks included.
        #expect(redactor.redact("a\nb\\nc\r\n\(Self.secret)\nd") == "a\nb\\nc\r\n[redacted]\nd")
    }

    @Test func aTailThatStartsInsideASecretKeepsNoFragmentOfIt() {
        let redactor = Redactor(secrets: ["abc", "abcdef"])
        #expect(String(decoding: redactor.redact(bytes: Array("def and abc".utf8), cutAtStart: true), as: UTF8.self) == "d [redacted]")
        let long = Redactor(secrets: [Self.secret])
        for cut in 1..<Self.secret.count {
            for separator in ["", "\n", "\r\n", "\\n"] {
                // The tail starts `cut` characters into the secret, printed whole or split at 9.
                let printed = Self.secret.prefix(9) + separator + Self.secret.dropFirst(9)
                let offset = cut < 9 ? cut : cut + separator.count
                let tail = Array(printed.utf8.dropFirst(offset)) + Array(" and then the rest of the output, kept\n".utf8)
                let redacted = String(decoding: long.redact(bytes: tail, cutAtStart: true), as: UTF8.self)
                #expect(Self.leaks(redacted).isEmpty, "cut \(cut) \(separator.debugDescription): \(redacted.debugDescription)")
                // At most as many bytes as the secret is long are dropped (the tail keeps that much extra).
                #expect(redacted.hasSuffix("the output, kept\n"), "\(redacted.debugDescription)")
            }
        }
    }

    @Test func splitsThatAreNotLineBreaksAreNotCaught() {
        // Documented limits: a fragment on its own, a split by other characters.
        let redactor = Redactor(secrets: [Self.secret])
        #expect(redactor.redact("half: \(Self.secret.prefix(9))") == "half: \(Self.secret.prefix(9))")
        let spaced = "\(Self.secret.prefix(9)) \(Self.secret.dropFirst(9))"
        #expect(redactor.redact(spaced) == spaced)
    }

    @Test func repliesAreRedactedInValuesNamesAndNumbers() {
        let redactor = Redactor(secrets: [Self.secret, "424242"])
        let reply: JSONValue = .object([
            "message": .string("deployed with \(Self.secret)"),
            Self.secret: .string("a name"),
            "pin": .int(424242),
            "ratio": .double(0.5),
            "list": .array([.string("x\(Self.secret)"), .bool(true), .null]),
        ])
        let redacted = ExecReply.redacted(reply, redactor)
        #expect(redacted == .object([
            "message": .string("deployed with [redacted]"),
            "[redacted]": .string("a name"),
            "pin": .string("[redacted]"),
            "ratio": .double(0.5),
            "list": .array([.string("x[redacted]"), .bool(true), .null]),
        ]))
    }
}
