import Foundation
import GitSource

/// `git.signingKey`: the SSH key that signs the commits Steward writes (promote, rollback,
/// auto-revert), so that they pass `source.verify` like any operator's commit (DESIGN §13).
public enum CommitSigning {
    /// The signer for Steward's commits; nil when no key is set and nothing is verified. Throws one
    /// line when `source.verify` is on and Steward's own commits would be refused by it: no key, a
    /// key that cannot be read, or a public key not in `source.verify.allowedSigners`.
    public static func signer(_ settings: ControllerSettings) throws -> CommitSigner? {
        let verify = settings.config.source.verify
        guard let key = settings.config.git?.signingKey else {
            guard verify == nil else {
                throw ControllerError("source.verify is on but git.signingKey is not set: the commits Steward writes (promote, rollback, auto-revert) "
                                      + "would be refused by its own check; set git.signingKey: {file: PATH} to an SSH key listed in source.verify.allowedSigners")
            }
            return nil
        }
        let path = settings.resolve(key.file)
        guard FileManager.default.isReadableFile(atPath: path) else { throw ControllerError("git.signingKey: cannot read \(path)") }
        if verify != nil {
            guard let allowed = verify?.allowedSigners.map({ settings.resolve($0.file) }) else {
                throw ControllerError("git.signingKey signs with SSH, but source.verify has no allowedSigners: Steward's own commits would be refused; "
                                      + "add source.verify.allowedSigners: {file: PATH} listing its public key")
            }
            let publicKey = try SSHSignatures.publicKey(of: path)
            let listed = (try? String(contentsOfFile: allowed, encoding: .utf8)) ?? ""
            guard listed.split(whereSeparator: \.isNewline).contains(where: { $0.contains(publicKey) }) else {
                throw ControllerError("git.signingKey: its public key (\(publicKey.prefix(40))…) is not in source.verify.allowedSigners (\(allowed)): "
                                      + "Steward's own commits would be refused; add a line 'steward@<host> \(publicKey)' there")
            }
        }
        return SSHSignatures.signer(key: path)
    }
}
