import Foundation
import Logging
import SQLiteNIO

/// Checks an archive after it is written (`verify: true`): gzip+tar integrity (`gzip -t`,
/// `tar -tzf`), `pg_restore --list` for a PostgreSQL dump, `PRAGMA integrity_check` for an SQLite
/// copy. The format is read from the file's first bytes, so command archives are checked too.
public struct BackupVerifier: Sendable {
    /// What an archive holds, by its magic bytes.
    public enum Format: String, Sendable, Hashable {
        case gzip, postgresCustom, sqlite, unknown
    }

    let tools: BackupTools
    let logger: Logger

    public init(context: BackupContext, timeoutSeconds: Double = 3600, logger: Logger) {
        tools = BackupTools(context: context, timeoutSeconds: timeoutSeconds)
        self.logger = logger
    }

    /// The format of the file at `path`.
    public static func detect(_ path: String) -> Format {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .unknown }
        defer { try? handle.close() }
        let head = Array((try? handle.read(upToCount: 16)) ?? Data())
        if head.starts(with: [0x1F, 0x8B]) { return .gzip }
        if head.starts(with: Array("PGDMP".utf8)) { return .postgresCustom }
        if head.starts(with: Array("SQLite format 3".utf8) + [0]) { return .sqlite }
        return .unknown
    }

    /// Checks `archive`; returns what was checked, or throws a one-line `BackupError`.
    /// - Parameter expected: the format the target writes (nil for `command`, which may write anything).
    public func verify(_ archive: String, expected: Format? = nil) async throws -> String {
        let size = (try? FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int64) ?? nil
        guard let size else { throw BackupError("verification failed: \(archive) does not exist") }
        guard size > 0 else { throw BackupError("verification failed: \(archive) is empty") }
        let format = Self.detect(archive)
        if let expected, format != expected {
            throw BackupError("verification failed: \((archive as NSString).lastPathComponent) is not a \(expected.rawValue) file")
        }
        do {
            switch format {
            case .gzip:
                try await tools.run("gzip", ["-t", archive], install: BackupTools.tarHint)
                do {
                    try await tools.run("tar", ["-tzf", archive], install: BackupTools.tarHint)
                    return "gzip -t and tar -tzf passed"
                } catch let error as BackupError {
                    // gzip -t checked every byte (CRC and length): a command may write a gzip that is not a tar.
                    guard expected == nil else { throw error }
                    return "gzip -t passed (not a tar archive)"
                }
            case .postgresCustom:
                try await tools.run("pg_restore", ["--list", archive], install: BackupTools.postgresHint)
                return "pg_restore --list passed"
            case .sqlite:
                try await integrityCheck(archive)
                return "PRAGMA integrity_check passed"
            case .unknown:
                return "format not recognised: checksum only"
            }
        } catch let error as BackupError {
            throw BackupError("verification failed: \(error.message)")
        }
    }

    /// `PRAGMA integrity_check` on a copy; anything but a single `ok` fails.
    private func integrityCheck(_ path: String) async throws {
        let connection: SQLiteConnection
        do { connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger) } catch {
            throw BackupError("cannot open \(path): \(error)")
        }
        defer {
            for suffix in ["-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let lines: [String]
        do {
            let rows = try await connection.query("PRAGMA integrity_check", [])
            lines = rows.compactMap { $0.columns.first?.data.string }
            try await connection.close()
        } catch {
            try? await connection.close()
            throw BackupError("PRAGMA integrity_check: \(error)")
        }
        guard lines == ["ok"] else {
            throw BackupError("PRAGMA integrity_check: \(lines.prefix(3).joined(separator: "; "))")
        }
    }
}
