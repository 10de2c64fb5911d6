import Foundation
import StewardTesting

/// A controller folder for `steward backup restore` tests: BackupSchedules of every target kind
/// (events, state, files with backup and restore scripts, bare without restore), run through the binary.
final class RestoreWorkspace {
    let directory: TemporaryDirectory
    let repo: TemporaryGitRepository
    var path: String { directory.path }
    /// The file the `files` schedule backs up and restores (outside the repository).
    var dataFile: String { path + "/data/app.txt" }

    init(storeURL: String = "sqlite://.steward/state.db") throws {
        directory = try TemporaryDirectory(prefix: "steward-restore-cli")
        repo = try TemporaryGitRepository()
        try FileManager.default.createDirectory(atPath: path + "/data", withIntermediateDirectories: true)
        try "version 1\n".write(toFile: dataFile, atomically: true, encoding: .utf8)
        try schedule("events", "target: eventLog\n  destination: ./var/backups/events")
        try schedule("state", "target: stateStore\n  destination: ./var/backups/state")
        try schedule("files", "target: command\n  command: [ops/backup.sh, \(dataFile)]\n  restore: [ops/restore.sh, \(dataFile)]\n  destination: ./var/backups/files")
        try schedule("bare", "target: command\n  command: [ops/backup.sh, \(dataFile)]\n  destination: ./var/backups/bare")
        try schedule("broken", "target: command\n  command: [ops/backup.sh, \(dataFile)]\n  restore: [ops/fail-restore.sh]\n  destination: ./var/backups/broken")
        try schedule("outside", "target: command\n  command: [ops/backup.sh, \(dataFile)]\n  restore: [/bin/cp, \(dataFile)]\n  destination: ./var/backups/outside")
        try script("ops/fail-restore.sh", "#!/bin/sh\necho 'opening the archive' >&2\necho 'restore failed: disk full' >&2\nexit 3\n")
        try script("ops/backup.sh", "#!/bin/sh\nset -e\ncp \"$1\" \"$STEWARD_BACKUP_DESTINATION\"\n")
        try script("ops/restore.sh", "#!/bin/sh\nset -e\necho \"restoring $STEWARD_BACKUP_SCHEDULE from $STEWARD_BACKUP_ARCHIVE\" >&2\ncp \"$STEWARD_BACKUP_ARCHIVE\" \"$1\"\n")
        try repo.commit("backup schedules")
        try """
            source: {repository: \(repo.path), branch: main, path: ., interval: 1s}
            store: {url: "\(storeURL)"}
            eventLog: {directory: .steward/events}

            """.write(toFile: path + "/controller.yaml", atomically: true, encoding: .utf8)
    }

    private func schedule(_ name: String, _ body: String) throws {
        try repo.write("backups/\(name).yaml", """
            apiVersion: steward/v1
            kind: BackupSchedule
            metadata:
              name: \(name)
            spec:
              schedule: "0 * * * *"
              verify: true
              \(body)

            """)
    }

    private func script(_ relative: String, _ text: String) throws {
        try repo.write(relative, text)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: repo.path + "/" + relative)
    }

    @discardableResult
    func steward(_ arguments: String...) async throws -> StewardProcess.Result {
        try await StewardProcess.run(arguments, in: path)
    }

    /// Runs a command that must exit 0; returns its stdout.
    @discardableResult
    func ok(_ arguments: String...) async throws -> String {
        let result = try await StewardProcess.run(arguments, in: path)
        guard result.exitCode == 0 else { throw ProcessFailure(message: "\(arguments) failed (\(result.exitCode)): \(result.stderr)") }
        return result.stdout
    }

    /// The newest archive of a schedule (names sort by their time stamps).
    func archive(_ schedule: String) throws -> String {
        let folder = path + "/var/backups/\(schedule)"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasSuffix(".sha256") }.sorted()
        guard let newest = names.last else { throw ProcessFailure(message: "no archive in \(folder)") }
        return folder + "/" + newest
    }

    /// Every file under `relative` (recursively) with its bytes: equal fingerprints mean nothing was touched.
    func fingerprint(_ relative: String) -> [String: Data] {
        let root = path + "/" + relative
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else { return [:] }
        guard isDirectory.boolValue else { return [relative: FileManager.default.contents(atPath: root) ?? Data()] }
        var result: [String: Data] = [:]
        for case let name as String in FileManager.default.enumerator(atPath: root) ?? FileManager.DirectoryEnumerator() {
            var isFolder: ObjCBool = false
            // SQLite's shared-memory index changes under every reader; it is not part of what a restore touches.
            if !name.hasSuffix("-shm"), FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isFolder), !isFolder.boolValue {
                result[name] = FileManager.default.contents(atPath: root + "/" + name) ?? Data()
            }
        }
        return result
    }

    /// The names in a folder of the workspace.
    func files(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path + "/" + relative)) ?? []).sorted()
    }

    /// `status -o json` without the times that change from run to run.
    func stableStatus() async throws -> [String: Any] {
        let text = try await ok("status", "-o", "json")
        guard var status = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ProcessFailure(message: "status -o json is not an object: \(text)")
        }
        if let resources = status["resources"] as? [[String: Any]] {
            status["resources"] = resources.map { resource in resource.filter { $0.key != "updatedAt" } }
        }
        status["leader"] = nil
        return status
    }
}
