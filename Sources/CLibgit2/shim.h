#ifndef STEWARD_CLIBGIT2_SHIM_H
#define STEWARD_CLIBGIT2_SHIM_H
#include <git2.h>

/// `git_libgit2_opts` is variadic, which Swift cannot call: one setting per wrapper.
/// Object ids are checked when objects arrive (fetch indexes every pack), not again on each
/// read: git itself reads objects this way.
static inline int steward_git_skip_hash_check_on_read(void) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}
#endif
