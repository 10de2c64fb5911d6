import CLibgit2

extension RepositoryHandle {
    /// Whether `name` is a valid full reference name (`refs/heads/main`).
    static func isValidReferenceName(_ name: String) -> Bool {
        LibGit2.initialise()
        var valid: Int32 = 0
        return git_reference_name_is_valid(&valid, name) == 0 && valid == 1
    }

    /// The commit id a reference resolves to, or nil when the reference does not exist.
    func target(of name: String) throws(GitError) -> git_oid? {
        var oid = git_oid()
        do {
            try LibGit2.call("cannot read reference '\(name)'") { git_reference_name_to_id(&oid, pointer, name) }
        } catch where error.code == .notFound {
            return nil
        }
        return oid
    }

    /// The full name of the branch HEAD is attached to (even an unborn one), or nil when HEAD is detached.
    func headReferenceName() -> String? {
        var raw: OpaquePointer?
        guard git_reference_lookup(&raw, pointer, "HEAD") == 0, let raw else {
            git_error_clear()
            return nil
        }
        defer { git_reference_free(raw) }
        guard git_reference_type(raw) == GIT_REFERENCE_SYMBOLIC, let name = git_reference_symbolic_target(raw) else { return nil }
        return String(cString: name)
    }

    /// Points `name` at `id`, compare-and-swap: throws `.staleTip` when it no longer points at `expected`.
    func moveReference(_ name: String, to id: git_oid, from expected: git_oid, reflog: String) throws(GitError) {
        var raw: OpaquePointer?
        var new = id
        var old = expected
        LibGit2.initialise()
        git_error_clear()
        let result = git_reference_create_matching(&raw, pointer, name, &new, 1, &old, reflog)
        if let raw { git_reference_free(raw) }
        if result == GIT_EMODIFIED.rawValue {
            throw GitError(.staleTip, "'\(name)' moved away from \(ObjectId.hex(expected).prefix(7)) while Steward was committing; nothing was changed")
        }
        guard result >= 0 else { throw LibGit2.error(result, "cannot move '\(name)' to \(ObjectId.hex(id).prefix(7))") }
    }

    /// Creates or overwrites the reference `name` pointing at `id` (no reflog for names outside the standard set).
    func setReference(_ name: String, to id: git_oid, reflog: String) throws(GitError) {
        var raw: OpaquePointer?
        var target = id
        try LibGit2.call("cannot create reference '\(name)'") { git_reference_create(&raw, pointer, name, &target, 1, reflog) }
        if let raw { git_reference_free(raw) }
    }
}
