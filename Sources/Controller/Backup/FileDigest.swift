import Crypto
import Foundation

/// Checksums of archives, and the `sha256sum`-format file written beside a verified archive.
public enum FileDigest {
    /// How much of a file is read and hashed at a time: archives of any size are hashed in fixed memory.
    static let chunkSize = 1 << 20

    /// The lowercase hex SHA-256 of the file at `path` (swift-crypto), read in 1 MiB chunks.
    public static func sha256(path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw BackupError("cannot read \(path) to checksum it") }
        defer { try? handle.close() }
        var hasher = SHA256()
        do {
            while let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty {
                hasher.update(data: chunk)
            }
        } catch {
            throw BackupError("cannot read \(path) to checksum it: \(error.localizedDescription)")
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Writes `<archive>.sha256` as `<hex>  <file name>\n` (what `sha256sum -c` reads), atomically.
    public static func writeChecksumFile(for archive: String, hex: String) throws {
        let path = archive + BackupArchiveName.checksumSuffix
        let line = "\(hex)  \((archive as NSString).lastPathComponent)\n"
        do {
            try Data(line.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw BackupError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
