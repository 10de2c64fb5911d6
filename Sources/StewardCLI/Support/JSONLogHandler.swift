import Foundation
import Logging
import Manifests

/// Structured logs: one JSON object per line on stderr (`--log-format json`, the default off a TTY).
struct JSONLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    let label: String

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        var members: [String: JSONValue] = [
            "time": .string(CanonicalJSON.timestamp(Date())), "level": .string(level.rawValue),
            "logger": .string(label), "message": .string(message.description),
        ]
        for (key, value) in metadata.merging(extra ?? [:], uniquingKeysWith: { $1 }) where members[key] == nil {
            members[key] = .string(value.description)
        }
        FileHandle.standardError.write(Data((JSONValue.object(members).canonicalJSON + "\n").utf8))
    }
}

/// `--log-format json|text`.
enum LogFormat: String, CaseIterable {
    case json, text

    /// JSON lines unless stderr is a terminal.
    static var automatic: LogFormat { isatty(STDERR_FILENO) != 0 ? .text : .json }

    func bootstrap(level: Logger.Level) {
        switch self {
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
