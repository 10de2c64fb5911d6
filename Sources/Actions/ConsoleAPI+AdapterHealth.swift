import Manifests

extension ConsoleAPI {
    /// `GET /health/runtime-adapters` (deployment guide, "Runtime Adapter Configurations"): the health
    /// of each runtime adapter by its id.
    ///
    /// Read in the registry's shape, `{"robotics-main": {"healthy": true}}` (`performHealthChecks()`),
    /// or as a list, `{"adapters": [{"name", "status"}]}` or `[{"adapterId", "healthy"}]`. An answer of
    /// any other shape is unreadable as a whole: nil, with the reason in `problem`.
    public struct AdapterHealth: Sendable, Hashable {
        /// Adapter id → what the console says about it.
        public var adapters: [String: HealthReading]

        /// Reads the answer; throws `Unreadable` with the reason when its shape is unknown.
        init(_ json: JSONValue) throws(Unreadable) {
            if case .array(let entries)? = json["adapters"] {
                adapters = try Self.list(entries)
            } else if case .array(let entries) = json {
                adapters = try Self.list(entries)
            } else if case .object(let members) = json {
                var adapters: [String: HealthReading] = [:]
                for (name, value) in members {
                    let reading = HealthReading(value)
                    guard case .object = value, case .sample = reading else {
                        throw Unreadable(
                            "adapter health \(ConsoleAPI.quote(json)) is not {adapterId: {healthy: bool}}: \(name) is \(ConsoleAPI.quote(value))")
                    }
                    adapters[name] = reading
                }
                self.adapters = adapters
            } else {
                throw Unreadable("adapter health \(ConsoleAPI.quote(json)) is neither {adapterId: {healthy: bool}} nor a list")
            }
        }

        /// `[{name|adapterId|id, healthy|status}]`: every entry must name an adapter and its health.
        private static func list(_ entries: [JSONValue]) throws(Unreadable) -> [String: HealthReading] {
            var adapters: [String: HealthReading] = [:]
            for entry in entries {
                let reading = HealthReading(entry)
                guard let name = (entry["adapterId"] ?? entry["name"] ?? entry["id"])?.string, case .sample = reading else {
                    throw Unreadable("adapter health entry \(ConsoleAPI.quote(entry)) names no adapter and its health")
                }
                adapters[name] = reading
            }
            return adapters
        }
    }

    /// Why an answer could not be read.
    public struct Unreadable: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
