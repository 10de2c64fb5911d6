import Foundation
import StewardCLI
#if canImport(Glibc)
import CMalloc

// The controller (`steward run`) keeps one malloc arena: glibc's default of one per thread (up to
// 8 × cores) kept ~40 MB more resident during a full apply of 10,000 manifests. A one-shot command
// (`diff`, `validate`, …) parses and probes on every core and ends: with one arena its threads wait
// on each other's allocations (`diff` of 10,000 manifests: probes 0.56-0.62 s with one, 0.32-0.38 s
// with two, the same peak RSS), so it takes two. MALLOC_ARENA_MAX in the environment still wins.
if ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil {
    _ = mallopt(M_ARENA_MAX, CommandLine.arguments.dropFirst().first == "run" ? 1 : 2)
}
#endif

exit(await Steward.runMain())
