import Foundation
import StewardTesting

/// A controller folder on a git repository holding `examples/quickstart`, SQLite under `.steward`.
struct QuickstartWorkspace {
    let repo: TemporaryGitRepository
    let dir: TemporaryDirectory
    /// The commit holding the quickstart.
    let head: String

    init() throws {
        repo = try TemporaryGitRepository()
        let quickstart = StewardProcess.packageRoot.appendingPathComponent("examples/quickstart").path
        guard let walker = FileManager.default.enumerator(atPath: quickstart) else { throw CocoaError(.fileReadUnknown) }
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".yaml") else { continue }
            try repo.write(relative, try String(contentsOfFile: quickstart + "/" + relative, encoding: .utf8))
        }
        head = try repo.commit("quickstart")
        dir = try TemporaryDirectory()
        try "source: {repository: \(repo.path), branch: main}\nstore: {url: sqlite://.steward/state.db}\neventLog: {directory: .steward/events}\n"
            .write(toFile: dir.path + "/controller.yaml", atomically: true, encoding: .utf8)
    }
}
