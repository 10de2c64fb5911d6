import Foundation
import StewardCLI
#if canImport(Glibc)
import CMalloc

// One malloc arena: glibc's default of one per thread (up to 8 × cores) kept ~40 MB more resident
// during a full apply of 10,000 manifests. MALLOC_ARENA_MAX in the environment still wins.
if ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil { _ = mallopt(M_ARENA_MAX, 1) }
#endif

exit(await Steward.runMain())
