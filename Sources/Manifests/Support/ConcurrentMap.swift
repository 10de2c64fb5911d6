import Foundation
import Synchronization

/// CPU-bound maps over many items on every core (the caller's thread included), in order.
public enum ConcurrentMap {
    /// Below this many items, helper threads cost more than they save.
    public static let threshold = 256

    /// `transform` of each item, in order; serial when there are few items or one core. Every
    /// item is transformed; the first failure in item order is thrown.
    public static func map<T: Sendable, R: Sendable, E: Error>(_ items: [T], _ transform: @Sendable (T) throws(E) -> R) throws(E) -> [R] {
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, 8)
        guard workers > 1, items.count >= threshold else {
            var results: [R] = []
            results.reserveCapacity(items.count)
            for item in items { results.append(try transform(item)) }
            return results
        }
        let output = UnsafeMutableBufferPointer<Result<R, E>?>.allocate(capacity: items.count)
        output.initialize(repeating: nil)
        defer {
            _ = output.deinitialize()
            output.deallocate()
        }
        nonisolated(unsafe) let slots = output   // each slot has one writer, read after every worker ended
        // Workers take runs of neighbouring items (not every n-th one, which would have them write
        // the same cache lines), a run at a time, so a slow item or a busy core does not hold the rest.
        let run = max(16, items.count / (workers * 8))
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let start = next.wrappingAdd(run, ordering: .relaxed).oldValue
                guard start < items.count else { return }
                for index in start..<min(start + run, items.count) {
                    slots[index] = Result { () throws(E) -> R in try transform(items[index]) }
                }
            }
        }
        var results: [R] = []
        results.reserveCapacity(items.count)
        for slot in output { results.append(try slot!.get()) }
        return results
    }
}
