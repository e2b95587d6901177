#include "Fixes.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"

#include <algorithm>
#include <numeric>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace forksafe {

std::string applyEdits(llvm::StringRef Original, const std::vector<Edit> &Edits, std::vector<bool> &Taken) {
  Taken.assign(Edits.size(), false);
  std::vector<size_t> Order(Edits.size());
  std::iota(Order.begin(), Order.end(), 0);
  // Earlier diagnostics win an overlap: decide in source order, apply in reverse.
  std::stable_sort(Order.begin(), Order.end(),
                   [&](size_t A, size_t B) { return Edits[A].Offset < Edits[B].Offset; });
  std::vector<size_t> Accepted;
  size_t End = 0;
  bool First = true;
  for (size_t I : Order) {
    const Edit &E = Edits[I];
    if (E.Offset + E.Length > Original.size())
      continue;
    if (!First && E.Offset < End)
      continue;
    Accepted.push_back(I);
    End = E.Offset + E.Length;
    First = false;
  }
  std::string Out;
  Out.reserve(Original.size());
  size_t Pos = 0;
  for (size_t I : Accepted) {
    const Edit &E = Edits[I];
    Out.append(Original.data() + Pos, E.Offset - Pos);
    Out += E.Replacement;
    Pos = E.Offset + E.Length;
    Taken[I] = true;
  }
  Out.append(Original.data() + Pos, Original.size() - Pos);
  return Out;
}

static bool AllowReadOnly = false;

void allowFixingReadOnlyFiles(bool Allow) { AllowReadOnly = Allow; }

static std::string errnoText() { return std::error_code(errno, std::generic_category()).message(); }

/// Writes all of Contents to FD from its start and cuts the file there.
static std::string writeAll(int FD, llvm::StringRef Contents) {
  const char *P = Contents.data();
  size_t Left = Contents.size();
  while (Left) {
    ssize_t N = ::write(FD, P, Left);
    if (N < 0 && errno == EINTR)
      continue;
    if (N < 0)
      return "cannot write the fixed file: " + errnoText();
    P += N;
    Left -= N;
  }
  if (::ftruncate(FD, Contents.size()) != 0)
    return "cannot write the fixed file: " + errnoText();
  if (::fsync(FD) != 0)
    return "cannot flush the fixed file: " + errnoText();
  return "";
}

/// True when the file at FD holds exactly Contents.
static bool holds(int FD, llvm::StringRef Contents) {
  std::string Back(Contents.size() + 1, '\0');
  size_t Have = 0;
  while (Have < Back.size()) {
    ssize_t N = ::pread(FD, &Back[Have], Back.size() - Have, Have);
    if (N < 0 && errno == EINTR)
      continue;
    if (N <= 0)
      break;
    Have += N;
  }
  return Have == Contents.size() && llvm::StringRef(Back.data(), Have) == Contents;
}

std::string writeFileAtomically(llvm::StringRef File, llvm::StringRef Expected, llvm::StringRef Contents) {
  // A symbolic link is kept: the file it leads to is the one fixed.
  llvm::SmallString<256> Target;
  if (std::error_code EC = llvm::sys::fs::real_path(File, Target))
    return "cannot resolve it to fix it: " + EC.message();
  struct stat St;
  if (::stat(Target.c_str(), &St) != 0)
    return "cannot stat it: " + errnoText();
  if (!S_ISREG(St.st_mode))
    return "is not a regular file; not fixed";
  if (!(St.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) && !AllowReadOnly)
    return "is read-only; not fixed (--fix-read-only fixes read-only files)";
  auto Current = llvm::MemoryBuffer::getFile(Target, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!Current)
    return "cannot read it again to fix it: " + Current.getError().message();
  if ((*Current)->getBuffer() != Expected)
    return "changed while forksafe ran; not fixed";

  // The fixed text goes to a temporary file beside the target first, removed if a signal
  // (SIGINT, SIGTERM, ...) ends forksafe before it is renamed or deleted.
  llvm::SmallString<256> Model(Target);
  llvm::sys::path::remove_filename(Model);
  llvm::sys::path::append(Model, "." + llvm::sys::path::filename(Target).str() + ".forksafe-%%%%%%");
  int FD;
  llvm::SmallString<256> Temp;
  if (std::error_code EC = llvm::sys::fs::createUniqueFile(Model, FD, Temp, llvm::sys::fs::OF_None, 0600))
    return "cannot create a temporary file beside it: " + EC.message();
  llvm::sys::RemoveFileOnSignal(Temp);
  auto Discard = [&](const std::string &Why) {
    if (FD >= 0)
      ::close(FD);
    llvm::sys::fs::remove(Temp);
    llvm::sys::DontRemoveFileOnSignal(Temp);
    return Why;
  };
  std::string Why = writeAll(FD, Contents);
  if (!Why.empty())
    return Discard(Why);
  if (!holds(FD, Contents))
    return Discard("the temporary copy of the fixed file does not read back as written; not fixed");
  if (const char *Sig = std::getenv("FORKSAFE_TEST_SIGNAL_DURING_FIX"))
    ::raise(llvm::StringRef(Sig) == "INT" ? SIGINT : SIGTERM); // test hook: a kill at the worst time

  // Renaming keeps neither hard links nor, without privilege, another owner: then the target
  // is rewritten in place from the verified copy instead.
  bool InPlace = St.st_nlink > 1;
  if (!InPlace) {
    if (::fchmod(FD, St.st_mode & 07777) != 0)
      return Discard("cannot give the fixed file its permissions: " + errnoText());
    if (::fchown(FD, St.st_uid, St.st_gid) != 0)
      InPlace = true;
  }
  if (InPlace) {
    ::close(FD);
    FD = -1;
    int Out = ::open(Target.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (Out < 0)
      return Discard("cannot open it to write the fix in place: " + errnoText());
    Why = writeAll(Out, Contents);
    bool Ok = Why.empty() && holds(Out, Contents);
    ::close(Out);
    if (!Ok) {
      // The verified copy stays: it is the only complete fixed text, and the original is gone.
      llvm::sys::DontRemoveFileOnSignal(Temp);
      return (Why.empty() ? std::string("the fixed file does not read back as written") : Why) +
             "; the fixed text is kept in " + std::string(Temp);
    }
    return Discard("");
  }
  ::close(FD);
  FD = -1;
  if (std::error_code EC = llvm::sys::fs::rename(Temp, Target))
    return Discard("cannot replace it with the fixed file: " + EC.message());
  llvm::sys::DontRemoveFileOnSignal(Temp);
  return "";
}

} // namespace forksafe
