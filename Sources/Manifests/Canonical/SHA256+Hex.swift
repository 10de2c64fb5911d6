import Crypto

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

    /// The lowercase hex text of a digest, two digits per byte.
    static func hex(_ digest: SHA256.Digest) -> String {
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
