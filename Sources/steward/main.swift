import Foundation
import StewardCLI
#if canImport(Glibc)
import CMalloc

// The controller (`steward run`) keeps one malloc arena: glibc's default of one per thread (up to
// 8 × cores) kept ~40 MB more resident during a full apply of 10,000 manifests. A one-shot command
// (`diff`, `validate`, …) parses and probes on every core and ends, so it keeps glibc's default:
// with fewer arenas than allocating threads (the reader, the parsers, the warm-up, the store's
// tasks) they wait on each other's arena locks. `diff` of 10,000 manifests, ABBA pairs: one arena
// made its probes 0.56-0.62 s against 0.32-0.38 s with two; four were 26 ms faster than two (26 of
// 30 pairs, lock waits were a quarter of the parse phase's samples with two), eight 14 ms faster
// than four (27/30), sixteen the same as eight; peak RSS 138 → 144 MB. MALLOC_ARENA_MAX in the
// environment still wins.
if ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil, CommandLine.arguments.dropFirst().first == "run" {
    _ = mallopt(M_ARENA_MAX, 1)
}
#endif

exit(await Steward.runMain())
