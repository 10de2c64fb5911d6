import Manifests
import Synchronization

/// Values made from a `PlannedAction`'s fields, made at most once for the action and every copy
/// of it: its canonical document text and its keys. A run used each of them several times per
/// action (the file's bytes, the stored spec, the smoke test's comparison; the keys in every
/// record and event), and wrote the document out as canonical JSON four times.
///
/// Not part of the action's value: two actions are equal, hash and encode alike whatever either
/// has made. An action whose fields change starts a new memo (`PlannedAction`'s `didSet`s).
struct ActionMemo: Sendable, Hashable {
    private struct Made {
        var documentText: String?
        var idempotencyKey: String?
        var effectKey: String?
    }

    private final class Box: Sendable {
        let made = Mutex(Made())
    }

    private let box = Box()

    static func == (_: ActionMemo, _: ActionMemo) -> Bool { true }
    func hash(into hasher: inout Hasher) {}

    func documentText(_ make: () -> String) -> String { value(\.documentText, make) }
    func idempotencyKey(_ make: () -> String) -> String { value(\.idempotencyKey, make) }
    func effectKey(_ make: () -> String) -> String { value(\.effectKey, make) }

    /// The value at `path`, made by `make` the first time (outside the lock: another copy may make
    /// it too, to the same value; the first one kept is the one every caller gets).
    private func value(_ path: WritableKeyPath<Made, String?>, _ make: () -> String) -> String {
        if let made = box.made.withLock({ $0[keyPath: path] }) { return made }
        let value = make()
        return box.made.withLock { made in
            if made[keyPath: path] == nil { made[keyPath: path] = value }
            return made[keyPath: path]!
        }
    }
}
