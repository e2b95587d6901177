//===--- Cache.h - The on-disk cache (.forksafe_cache/) ----------------------===//
//
// A content-addressed store shared by every part that can skip work it has done before: the
// per-file findings of the Python analyzer, module summaries, translation-unit summaries. An
// entry is found by a Kind (a folder: "results", "pysummary", ...) and a Key made by cacheKey()
// from everything the value depends on; a changed input gives a new key, so an entry is never
// stale, only unused. Entries are written to a temporary file and renamed into place, so runs
// that share the folder never read a half-written entry. Laid out as Ruff lays out its cache:
// a CACHEDIR.TAG (backup tools skip the folder) and a .gitignore holding "*".
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CORE_CACHE_H
#define FORKSAFE_CORE_CACHE_H

#include "llvm/ADT/StringRef.h"

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>

namespace forksafe {

class Cache {
public:
  /// Opens (creating it if needed) the cache folder Dir. Returns null when the folder cannot be
  /// created or written: the run goes on without a cache (Why, when given, says why).
  static std::unique_ptr<Cache> open(std::string Dir, std::string *Why = nullptr);

  /// The value stored under Key in Kind, or nullopt. Thread-safe.
  std::optional<std::string> get(llvm::StringRef Kind, llvm::StringRef Key);
  /// Stores Value under Key in Kind, atomically. Failures are silent: a cache that cannot be
  /// written costs time, never findings. Thread-safe.
  void put(llvm::StringRef Kind, llvm::StringRef Key, llvm::StringRef Value);

  const std::string &dir() const { return Dir; }

private:
  explicit Cache(std::string Dir) : Dir(std::move(Dir)) {}
  std::string entryPath(llvm::StringRef Kind, llvm::StringRef Key) const;
  std::string Dir;
};

/// A key for Cache: the SHA-256 (hex) of the parts, each length-prefixed so that ("ab", "c")
/// and ("a", "bc") differ, and of cacheVersion(), so that another forksafe never reads this
/// one's entries.
std::string cacheKey(std::initializer_list<llvm::StringRef> Parts);

/// The SHA-256 (hex) of Bytes alone: a digest to put into a key.
std::string contentDigest(llvm::StringRef Bytes);

/// The forksafe version and the digest of the sources it was built from (so a rebuilt
/// development copy does not read a previous build's results). The environment variable
/// FORKSAFE_TEST_CACHE_VERSION replaces it, for the test that changes the version.
const std::string &cacheVersion();

/// The project root for Path: the nearest folder upward holding pyproject.toml, .forksafe.toml
/// or .git; else the current directory.
std::string findProjectRoot(llvm::StringRef Path);

/// The default cache folder for a run whose first input is Path: `.forksafe_cache` in its
/// project root.
std::string defaultCacheDir(llvm::StringRef FirstPath);

} // namespace forksafe

#endif
