//===--- ResultsCache.h - Per-file findings kept between runs ---------------===//
//
// A Python file's findings are reused when nothing they depend on changed: the file's bytes and
// path, the configuration that applies to it (Config::Digest), --checks, the forksafe build
// (cacheKey adds it), and, in whole-program mode, the summaries of the other modules its analysis
// consumed. The first four make the key. The last cannot: which modules a file consumes is known
// only once it is analysed, so the entry records each dependency with the digest it had, and a
// lookup asks for each one's digest now; any difference is a miss.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_DRIVER_RESULTSCACHE_H
#define FORKSAFE_DRIVER_RESULTSCACHE_H

#include "core/Cache.h"
#include "core/Config.h"
#include "core/Diagnostic.h"

#include "llvm/ADT/STLExtras.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace forksafe {

/// A dependency of a file's findings: a name the analysis asked the project for (a module) and
/// the digest of what it was given ("" when there was no such module).
using Dependency = std::pair<std::string, std::string>;

class ResultsCache {
public:
  explicit ResultsCache(std::unique_ptr<Cache> Store) : Store(std::move(Store)) {}

  static std::string pythonKey(llvm::StringRef Path, llvm::StringRef Bytes, const Config &Cfg,
                               llvm::StringRef Checks);

  /// The findings stored under Key, if every dependency recorded with them still has its digest
  /// (CurrentDigest(Name) gives the digest now; "" when it no longer exists).
  bool get(llvm::StringRef Key, llvm::function_ref<std::string(llvm::StringRef)> CurrentDigest,
           std::vector<Diagnostic> &Diags);
  void put(llvm::StringRef Key, const std::vector<Dependency> &Deps, const std::vector<Diagnostic> &Diags);

  /// The store, which module summaries share (Kind "python-summary").
  Cache &store() { return *Store; }

private:
  std::unique_ptr<Cache> Store;
};

} // namespace forksafe

#endif
