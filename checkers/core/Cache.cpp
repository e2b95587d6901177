#include "Cache.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"

#include <cerrno>
#include <cstdlib>
#include <unistd.h>

extern const char *const ForksafeSourceDigest; // BuildId.cpp, generated

namespace forksafe {

namespace {

/// Each entry starts with this line, so a file that is not an entry (or an entry of a future
/// format) is never taken for one.
constexpr llvm::StringLiteral Magic = "forksafe-cache-entry 1\n";

/// Writes Contents to Path through a temporary file in the same folder and a rename.
bool writeAtomically(const std::string &Path, llvm::StringRef Contents) {
  llvm::SmallString<256> Model(Path);
  Model += ".tmp-%%%%%%%%";
  int FD;
  llvm::SmallString<256> Temp;
  if (llvm::sys::fs::createUniqueFile(Model, FD, Temp))
    return false;
  const char *P = Contents.data();
  size_t Left = Contents.size();
  while (Left) {
    ssize_t N = ::write(FD, P, Left);
    if (N < 0) {
      if (errno == EINTR)
        continue;
      ::close(FD);
      llvm::sys::fs::remove(Temp);
      return false;
    }
    P += N;
    Left -= size_t(N);
  }
  if (::close(FD) != 0 || llvm::sys::fs::rename(Temp, Path)) {
    llvm::sys::fs::remove(Temp);
    return false;
  }
  return true;
}

/// A file that is written once, when the folder is made, and never changes.
void writeIfMissing(const std::string &Dir, llvm::StringRef Name, llvm::StringRef Contents) {
  llvm::SmallString<256> P(Dir);
  llvm::sys::path::append(P, Name);
  if (!llvm::sys::fs::exists(P))
    writeAtomically(std::string(P), Contents);
}

/// Kinds are folder names chosen by forksafe's own code; refuse anything that could leave Dir.
bool validName(llvm::StringRef S) {
  return !S.empty() && S.size() <= 128 && S.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
                                               llvm::StringRef::npos &&
         S != "." && S != "..";
}

template <typename Digest> std::string hex(const Digest &D) { return llvm::toHex(D, /*LowerCase=*/true); }

} // namespace

std::unique_ptr<Cache> Cache::open(std::string Dir, std::string *Why) {
  if (Dir.empty()) {
    if (Why)
      *Why = "no cache folder given";
    return nullptr;
  }
  bool Existed = llvm::sys::fs::is_directory(Dir);
  if (!Existed) {
    if (std::error_code EC = llvm::sys::fs::create_directories(Dir)) {
      if (Why)
        *Why = "cannot create cache folder '" + Dir + "': " + EC.message();
      return nullptr;
    }
  }
  if (llvm::sys::fs::access(Dir, llvm::sys::fs::AccessMode::Write)) {
    if (Why)
      *Why = "cannot write to cache folder '" + Dir + "'";
    return nullptr;
  }
  writeIfMissing(Dir, "CACHEDIR.TAG",
                 "Signature: 8a477f597d28d172789f06886806bc55\n"
                 "# This file is a cache directory tag created by forksafe.\n"
                 "# For information about cache directory tags see https://bford.info/cachedir/\n");
  writeIfMissing(Dir, ".gitignore", "# Automatically created by forksafe.\n*\n");
  return std::unique_ptr<Cache>(new Cache(std::move(Dir)));
}

std::string Cache::entryPath(llvm::StringRef Kind, llvm::StringRef Key) const {
  llvm::SmallString<256> P(Dir);
  // Two levels, as git does, so no folder holds more than a few thousand entries.
  llvm::sys::path::append(P, Kind, Key.take_front(2), Key.drop_front(2));
  return std::string(P);
}

std::optional<std::string> Cache::get(llvm::StringRef Kind, llvm::StringRef Key) {
  if (!validName(Kind) || !validName(Key) || Key.size() < 3)
    return std::nullopt;
  auto Buf = llvm::MemoryBuffer::getFile(entryPath(Kind, Key), /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!Buf)
    return std::nullopt;
  llvm::StringRef Bytes = (*Buf)->getBuffer();
  if (!Bytes.consume_front(Magic))
    return std::nullopt;
  return Bytes.str();
}

void Cache::put(llvm::StringRef Kind, llvm::StringRef Key, llvm::StringRef Value) {
  if (!validName(Kind) || !validName(Key) || Key.size() < 3)
    return;
  std::string Path = entryPath(Kind, Key);
  if (llvm::sys::fs::create_directories(llvm::sys::path::parent_path(Path)))
    return;
  std::string Contents;
  Contents.reserve(Magic.size() + Value.size());
  Contents += Magic;
  Contents += Value;
  writeAtomically(Path, Contents);
}

const std::string &cacheVersion() {
  static const std::string V = [] {
    if (const char *Test = std::getenv("FORKSAFE_TEST_CACHE_VERSION"))
      return std::string(Test);
    return std::string(FORKSAFE_VERSION) + "+" + ForksafeSourceDigest;
  }();
  return V;
}

std::string cacheKey(std::initializer_list<llvm::StringRef> Parts) {
  llvm::SHA256 H;
  auto Add = [&](llvm::StringRef S) {
    std::string Len = std::to_string(S.size()) + ":";
    H.update(Len);
    H.update(S);
  };
  Add(cacheVersion());
  for (llvm::StringRef P : Parts)
    Add(P);
  return hex(H.final());
}

std::string contentDigest(llvm::StringRef Bytes) {
  llvm::SHA256 H;
  H.update(Bytes);
  return hex(H.final());
}

std::string findProjectRoot(llvm::StringRef Path) {
  llvm::SmallString<256> Dir(Path);
  if (llvm::sys::fs::make_absolute(Dir))
    Dir.clear();
  llvm::sys::path::remove_dots(Dir, /*remove_dot_dot=*/true);
  if (!Dir.empty() && !llvm::sys::fs::is_directory(Dir))
    llvm::sys::path::remove_filename(Dir);
  for (llvm::StringRef D = Dir; !D.empty(); D = llvm::sys::path::parent_path(D)) {
    for (const char *Marker : {"pyproject.toml", ".forksafe.toml", ".git"}) {
      llvm::SmallString<256> P(D);
      llvm::sys::path::append(P, Marker);
      if (llvm::sys::fs::exists(P))
        return D.str();
    }
  }
  llvm::SmallString<256> Cwd;
  if (llvm::sys::fs::current_path(Cwd))
    return ".";
  return std::string(Cwd);
}

std::string defaultCacheDir(llvm::StringRef FirstPath) {
  llvm::SmallString<256> P(findProjectRoot(FirstPath));
  llvm::sys::path::append(P, ".forksafe_cache");
  return std::string(P);
}

} // namespace forksafe
