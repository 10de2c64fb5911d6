import ArgumentParser
import Foundation

/// Output helpers: stderr lines, JSON documents, TTY detection.
enum Terminal {
    static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static var isStandardOutputATTY: Bool { isatty(STDOUT_FILENO) != 0 }

    /// Hands what was printed to the reader now: into a pipe or a file, standard output is
    /// block-buffered, so a `--follow` or `--watch` piped to `grep` or `jq` would show nothing
    /// until kilobytes had gathered.
    static func flush() { fflush(nil) }   // every output stream (naming `stdout` is not concurrency-safe in Swift 6)

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
