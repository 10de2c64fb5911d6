import Foundation

/// Why a resource is or is not converged (DESIGN §14): an ordered chain of causes, each with its
/// evidence, ending with what would unblock it. `steward explain`, `GET /api/explain/NAME` and the
/// `chain` of `diff`'s blocked items are all made from it.
public struct Explanation: Sendable, Hashable, Codable {
    /// What a link rests on; every field is optional, and only what is known is given.
    public struct Evidence: Sendable, Hashable, Codable {
        public var commit: String?
        public var file: String?
        public var line: Int?
        /// The gate that decided (`promotion`, `approval`, `hold`, `syncWindow`, …).
        public var gate: String?
        /// The event log record that shows it.
        public var seq: Int64?
        /// The resource (`Kind/name`) and environment the link is about, when not the subject.
        public var resource: String?
        public var environment: String?
        /// What the driver or target said.
        public var message: String?

        public init(commit: String? = nil, file: String? = nil, line: Int? = nil, gate: String? = nil, seq: Int64? = nil,
                    resource: String? = nil, environment: String? = nil, message: String? = nil) {
            self.commit = commit
            self.file = file
            self.line = line
            self.gate = gate
            self.seq = seq
            self.resource = resource
            self.environment = environment
            self.message = message
        }

        /// `file:line, commit abc1234, seq 12` — what a person reads after the link.
        var text: String {
            var parts: [String] = []
            if let file { parts.append(line.map { "\(file):\($0)" } ?? file) }
            if let commit { parts.append("commit \(commit.prefix(7))") }
            if let seq { parts.append("seq \(seq)") }
            return parts.joined(separator: ", ")
        }
    }

    /// One cause.
    public struct Link: Sendable, Hashable, Codable {
        public var text: String
        public var evidence: Evidence

        public init(_ text: String, _ evidence: Evidence = Evidence()) {
            self.text = text
            self.evidence = evidence
        }

        /// The link as one phrase: its text, then its evidence in parentheses.
        public var line: String {
            let shown = evidence.text
            return shown.isEmpty ? text : "\(text) (\(shown))"
        }
    }

    public var kind: String
    public var name: String
    public var environment: String?
    /// The Target, on an environment's Targets (DESIGN §10).
    public var target: String?
    /// Synced and Healthy with nothing planned.
    public var converged: Bool
    /// The causes, first the state Git asks for, last the nearest cause.
    public var chain: [Link]
    /// What would unblock it, nil when it is converged or will converge in the next pass unaided.
    public var unblock: String?

    public init(kind: String, name: String, environment: String?, target: String? = nil, converged: Bool, chain: [Link], unblock: String?) {
        self.target = target
        self.kind = kind
        self.name = name
        self.environment = environment
        self.converged = converged
        self.chain = chain
        self.unblock = unblock
    }

    /// The chain on one line, `→` between links, the unblock last.
    public var summary: String {
        (chain.map(\.line) + (unblock.map { ["to unblock: \($0)"] } ?? [])).joined(separator: " → ")
    }

    /// The chain as lines, for `chain` in `diff`'s reports.
    public var lines: [String] { chain.map(\.line) + (unblock.map { ["to unblock: \($0)"] } ?? []) }

    /// For people at a terminal: a headline, then one numbered link per line.
    public var text: String {
        let subject = "\(kind)/\(name)\(environment.map { " in \($0)" } ?? "")\(target.map { " on \($0)" } ?? "")"
        var out = ["\(subject): \(converged ? "converged" : "not converged")"]
        for (index, link) in chain.enumerated() { out.append("  \(index + 1). \(link.line)") }
        if let unblock { out.append("  to unblock: \(unblock)") }
        return out.joined(separator: "\n")
    }
}
