//===--- VersionGuard.cpp - Refuse to load into another LLVM major --------===//
//
// Only in the plugin. A plugin built for LLVM 19 and loaded into clang-tidy 14 (or the other
// way round) loads, registers into a registry the host never reads, and silently reports
// nothing. This constructor runs before the module registers itself (priority 101 comes
// before default-priority initialisers of this object), finds the LLVM major of the host's
// libclang-cpp/libLLVM (the first one in link-map order: the executable's own dependencies
// are loaded before any dlopen'ed plugin and its dependencies), and stops on a mismatch.
//
//===----------------------------------------------------------------------===//

#include <cstdio>
#include <cstring>
#include <link.h>
#include <unistd.h>

namespace {

/// LLVM major in a Debian/upstream shared library name, or 0: libclang-cpp.so.19.1,
/// libLLVM.so.19.1, libLLVM-14.so.1, libclang-cpp.so.14.
int llvmMajorOf(const char *Path) {
  const char *Base = std::strrchr(Path, '/');
  Base = Base ? Base + 1 : Path;
  int Major = 0;
  if (std::sscanf(Base, "libclang-cpp.so.%d", &Major) == 1 ||
      std::sscanf(Base, "libLLVM.so.%d", &Major) == 1 ||
      std::sscanf(Base, "libLLVM-%d.so", &Major) == 1)
    return Major;
  return 0;
}

int firstLlvm(struct dl_phdr_info *Info, size_t, void *Data) {
  if (!Info->dlpi_name || !*Info->dlpi_name)
    return 0;
  int Major = llvmMajorOf(Info->dlpi_name);
  if (!Major)
    return 0;
  *static_cast<int *>(Data) = Major;
  return 1; // stop: the host's copy comes first
}

__attribute__((constructor(101))) void refuseForeignHost() {
  int HostMajor = 0;
  dl_iterate_phdr(firstLlvm, &HostMajor);
  if (HostMajor == 0 || HostMajor == FORKSAFE_LLVM_MAJOR)
    return;
  std::fprintf(stderr,
               "error: libforksafe-tidy.so was built for LLVM %d, but this clang-tidy is LLVM "
               "%d; a plugin only works in the clang-tidy of its own major version. Use a "
               "libforksafe-tidy.so built with -DFORKSAFE_LLVM_VERSION=%d (or run "
               "clang-tidy-%d).\n",
               FORKSAFE_LLVM_MAJOR, HostMajor, HostMajor, FORKSAFE_LLVM_MAJOR);
  std::fflush(stderr);
  _exit(1);
}

} // namespace
