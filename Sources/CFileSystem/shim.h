#ifndef STEWARD_CFILESYSTEM_SHIM_H
#define STEWARD_CFILESYSTEM_SHIM_H
// statfs(2) (the file system's type), which the Glibc module does not export.
#include <sys/vfs.h>
#endif
