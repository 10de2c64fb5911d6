import Crypto
import Foundation

/// SHA-256 digests as lowercase hex, for content hashes of canonical JSON.
public enum ContentHash {
    /// The lowercase hex SHA-256 of `bytes`.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// The lowercase hex SHA-256 of the UTF-8 encoding of `string`.
    public static func sha256Hex(_ string: String) -> String {
        var string = string
        let digest = string.withUTF8 { utf8 in
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(utf8))
            return hasher.finalize()
        }
        return hex(digest)
    }

    /// The lowercase hex HMAC-SHA256 of `bytes` under `key` (webhook signatures, `sha256=<hex>`).
    public static func hmacSHA256Hex(_ bytes: [UInt8], key: [UInt8]) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: bytes, using: SymmetricKey(data: key)))
    }

    /// The lowercase hex text of a digest or code, two digits per byte.
    public static func hex(_ digest: some ContiguousBytes) -> String {
        digest.withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: bytes.count * 2) { out in
                let digits: StaticString = "0123456789abcdef"
                let table = digits.utf8Start
                for (index, byte) in bytes.enumerated() {
                    out[2 * index] = table[Int(byte >> 4)]
                    out[2 * index + 1] = table[Int(byte & 0x0F)]
                }
                return bytes.count * 2
            }
        }
    }
}
