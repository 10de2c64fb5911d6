/// Objects a one-shot command leaves to the end of the process instead of freeing them: tearing
/// down what `diff` built for 10,000 manifests (the parsed fleet, the applied records, the plan's
/// facts) cost 0.14-0.20 s of a 1.5 s run, work whose only effect is on memory the exit returns anyway.
enum ProcessLifetime {
    /// Keeps `object` until the process exits (one reference more, never released).
    static func keep(_ object: AnyObject) { _ = Unmanaged.passRetained(object) }

    /// Keeps `value` (and all it holds) until the process exits.
    static func keep<T>(_ value: T) { keep(Box(value)) }

    private final class Box<T> {
        let value: T
        init(_ value: T) { self.value = value }
    }
}
