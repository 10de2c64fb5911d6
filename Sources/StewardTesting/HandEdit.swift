import Foundation

/// Edits made by hand on a target's files, as the drift tests make them.
public enum HandEdit {
    /// Replaces `old` with `new` (the same length) in the file at `path` in place, then puts its
    /// modification time back: only the change time (and the bytes) tell the edit. Returns the
    /// original text.
    @discardableResult
    public static func sameSize(_ path: String, replacing old: String, with new: String) throws -> String {
        let original = try String(contentsOfFile: path, encoding: .utf8)
        let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        let edited = original.replacingOccurrences(of: old, with: new)
        guard edited != original, edited.utf8.count == original.utf8.count else {
            throw HandEditError(description: "\(path): replacing \(old) with \(new) is not a same-size edit of it")
        }
        try edited.write(toFile: path, atomically: false, encoding: .utf8)
        if let modified { try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path) }
        return original
    }
}

public struct HandEditError: Error, CustomStringConvertible {
    public var description: String
}
