import ArgumentParser
import Foundation

/// Output helpers: stderr lines, JSON documents, TTY detection.
enum Terminal {
    static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static var isStandardOutputATTY: Bool { isatty(STDOUT_FILENO) != 0 }

    /// Stable JSON: sorted keys, unescaped slashes, one document.
    static func json<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// `-o text|json`.
enum TextOrJSON: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
