import Foundation
import Manifests

/// One environment's console deployments (`GET /api/deployments?environment=ENV`), newest first.
///
/// The guide's rollback script reads `.[0].id` as the current deployment, so the list is taken as
/// newest first; when every entry has a `createdAt`, that order decides instead (ties keep the list's).
/// A deployment is Steward's when it carries `metadata.stewardDeployment` or its id is one Steward
/// recorded when it created it.
struct ConsoleDeploymentList: Sendable {
    var newestFirst: [ConsoleAPI.Deployment]

    init(_ entries: [ConsoleAPI.Deployment]) {
        let dates = entries.map { $0.createdAt.flatMap(Self.date) }
        guard !entries.isEmpty, dates.allSatisfy({ $0 != nil }) else {
            newestFirst = entries
            return
        }
        newestFirst = zip(entries, dates).enumerated()
            .sorted { a, b in a.element.1! != b.element.1! ? a.element.1! > b.element.1! : a.offset < b.offset }
            .map(\.element.0)
    }

    /// The list from a console answer: a JSON array (or `{deployments: [...]}`) of deployments;
    /// entries that are not objects with an id are left out.
    init(answer json: JSONValue) throws(ConsoleAPI.Unreadable) {
        guard let entries = json.array ?? json["deployments"]?.array else {
            throw ConsoleAPI.Unreadable("the deployment list \(ConsoleAPI.quote(json)) is not a list")
        }
        self.init(entries.compactMap(ConsoleAPI.Deployment.init))
    }

    /// Steward Deployment `name`'s console deployments, newest first.
    func mine(_ name: String, knownId: String?) -> [ConsoleAPI.Deployment] {
        newestFirst.filter { $0.stewardDeployment == name || $0.id == knownId }
    }

    /// The console deployment that stands for a Steward Deployment: the newest live one (a failed
    /// newer deploy leaves the older one running); else the newest that ended without being
    /// superseded (failed, rolled back), which probes report as drift.
    func current(of name: String, knownId: String?) -> ConsoleAPI.Deployment? {
        let candidates = mine(name, knownId: knownId)
        return candidates.first { ConsoleStatus.isLive($0.status) } ?? candidates.first { $0.status != ConsoleStatus.superseded }
    }

    /// The deployment of `name` that ran before `current`: the newest older one that was deployed.
    func previous(of name: String, knownId: String?, before current: ConsoleAPI.Deployment) -> ConsoleAPI.Deployment? {
        let candidates = mine(name, knownId: knownId)
        guard let index = candidates.firstIndex(where: { $0.id == current.id }) else { return nil }
        return candidates[(index + 1)...].first { $0.status == ConsoleStatus.superseded || $0.status == ConsoleStatus.deployed }
    }

    /// An RFC 3339 time, with or without fractional seconds.
    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
