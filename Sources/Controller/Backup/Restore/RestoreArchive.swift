import Foundation
import Logging

/// The archive a restore reads: the one named, or the newest verified archive of the schedule;
/// checked against its recorded sha256 and for integrity before anything is touched.
enum RestoreArchive {
    /// The archive to restore: `explicit` (made absolute), else the newest archive of `schedule` in
    /// `destination` that has its `.sha256` beside it.
    static func locate(explicit: String?, schedule: String, destination: String) throws -> String {
        if let explicit {
            let path = BackupContext.absolute(explicit)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw BackupError("archive \(path) does not exist")
            }
            guard !isDirectory.boolValue else { throw BackupError("archive \(path) is a folder, not an archive file") }
            return path
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: destination)) ?? []
        let verified = names.compactMap { name -> (date: Date, path: String)? in
            guard let date = BackupArchiveName.parse(name, schedule: schedule) else { return nil }
            let path = (destination as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: path + BackupArchiveName.checksumSuffix) else { return nil }
            return (date, path)
        }
        guard let newest = verified.max(by: { $0.date < $1.date }) else {
            throw BackupError("no verified archive of backup \(schedule) in \(destination): run steward backup run \(schedule) (with verify: true) or pass --archive FILE")
        }
        return newest.path
    }

    /// The sha256 recorded in `<archive>.sha256`, compared with the file's; returns the checksum.
    static func checkChecksum(_ archive: String) async throws -> String {
        let name = (archive as NSString).lastPathComponent
        let checksumPath = archive + BackupArchiveName.checksumSuffix
        guard let text = try? String(contentsOfFile: checksumPath, encoding: .utf8) else {
            throw BackupError("archive \(archive) has no checksum file \(name)\(BackupArchiveName.checksumSuffix): only verified archives are restored")
        }
        let recorded = text.split(whereSeparator: { $0 == " " || $0.isNewline }).first.map(String.init)?.lowercased() ?? ""
        guard recorded.count == 64, recorded.allSatisfy(\.isHexDigit) else {
            throw BackupError("checksum file \(checksumPath) does not hold a sha256: refused, nothing was restored")
        }
        let actual = try await BlockingIO.run { try FileDigest.sha256(path: archive) }
        guard actual == recorded else {
            throw BackupError("archive \(archive) does not match its recorded sha256 (\(actual.prefix(12))…, recorded \(recorded.prefix(12))…): it was changed or truncated; refused, nothing was restored")
        }
        return actual
    }

    /// The archive's integrity (gzip+tar, SQLite, pg_restore --list) as the verifier checks it after a backup.
    static func checkIntegrity(_ archive: String, expected: BackupVerifier.Format?, context: BackupContext, timeoutSeconds: Double,
                               logger: Logger) async throws -> String {
        do {
            return try await BackupVerifier(context: context, timeoutSeconds: timeoutSeconds, logger: logger).verify(archive, expected: expected)
        } catch let error as BackupError {
            throw BackupError("archive \(archive) is not intact (\(error.message)): refused, nothing was restored")
        }
    }
}
