//===--- CppLoader.cpp - cpp::analyze in the program: load the library, forward ===//
//
// See CppEntry.h. The library is found beside the program, in ../lib (the build tree's and an
// installation's layout); FORKSAFE_CPP_LIBRARY names another. When it cannot be loaded, every
// C/C++ file gets an error saying why, and the Python files are still analysed.
//
//===----------------------------------------------------------------------===//
#include "cpp/CppEntry.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdlib>
#include <dlfcn.h>
#include <mutex>

extern const char *const ForksafeSourceDigest; // core/SourceDigest.cpp, generated

namespace forksafe {
namespace cpp {

namespace {

std::string libraryPath() {
  if (const char *Env = std::getenv("FORKSAFE_CPP_LIBRARY"))
    return Env;
  static int Anchor;
  std::string Exe = llvm::sys::fs::getMainExecutable("forksafe", &Anchor);
  llvm::StringRef BinDir = llvm::sys::path::parent_path(Exe);
  // The build tree's layout (bin/, lib/), then the installed one (FORKSAFE_CPP_LIBRARY_FROM_BIN:
  // the library's folder relative to the program's, from CMake's install directories).
  llvm::SmallString<256> Build(llvm::sys::path::parent_path(BinDir));
  llvm::sys::path::append(Build, "lib", "libforksafe-cpp.so");
  if (llvm::sys::fs::exists(Build))
    return std::string(Build);
  llvm::SmallString<256> Installed(BinDir);
  llvm::sys::path::append(Installed, FORKSAFE_CPP_LIBRARY_FROM_BIN, "libforksafe-cpp.so");
  llvm::sys::path::remove_dots(Installed, /*remove_dot_dot=*/true);
  return std::string(Installed);
}

/// The library's entry points, loaded once; null with Why set when it cannot be.
const EntryPoints *load(std::string &Why) {
  static std::once_flag Once;
  static const EntryPoints *Entry = nullptr;
  static std::string Error;
  std::call_once(Once, [] {
    std::string Path = libraryPath();
    void *Handle = ::dlopen(Path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!Handle) {
      const char *E = ::dlerror();
      Error = "cannot load the C/C++ analyzer: " + std::string(E ? E : Path);
      return;
    }
    auto Get = reinterpret_cast<const EntryPoints *(*)()>(::dlsym(Handle, FORKSAFE_CPP_ENTRY_SYMBOL));
    if (!Get) {
      Error = "cannot load the C/C++ analyzer: " + Path + " has no " FORKSAFE_CPP_ENTRY_SYMBOL;
      return;
    }
    const EntryPoints *E = Get();
    if (!E || llvm::StringRef(E->SourceDigest) != ForksafeSourceDigest) {
      Error = "cannot load the C/C++ analyzer: " + Path + " is of another forksafe build";
      return;
    }
    Entry = E;
  });
  Why = Error;
  return Entry;
}

} // namespace

void analyze(const std::vector<std::string> &Files, const CppOptions &Opts, std::vector<Diagnostic> &Diags,
             std::vector<InputError> &Errors, CppRunInfo *Info) {
  if (Files.empty())
    return;
  std::string Why;
  const EntryPoints *E = load(Why);
  if (!E) {
    for (const std::string &F : Files)
      Errors.push_back({F, Why});
    return;
  }
  E->Analyze(Files, Opts, Diags, Errors, Info);
}

bool summarizeDatabase(const std::string &BuildDir, const SummarizeOptions &Opts, SummarizeResult &Result,
                       std::string &Error) {
  const EntryPoints *E = load(Error);
  return E && E->SummarizeDatabase(BuildDir, Opts, Result, Error);
}

bool writeSummaryFile(const std::string &Path, const std::string &Json, std::string &Error) {
  const EntryPoints *E = load(Error);
  return E && E->WriteSummaryFile(Path, Json, Error);
}

} // namespace cpp
} // namespace forksafe
