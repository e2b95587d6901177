#include "Fixes.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <numeric>
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

std::string writeFileAtomically(llvm::StringRef File, llvm::StringRef Expected, llvm::StringRef Contents) {
  auto Current = llvm::MemoryBuffer::getFile(File, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!Current)
    return "cannot read it again to fix it: " + Current.getError().message();
  if ((*Current)->getBuffer() != Expected)
    return "changed while forksafe ran; not fixed";
  llvm::sys::fs::file_status Status;
  if (std::error_code EC = llvm::sys::fs::status(File, Status))
    return "cannot stat it: " + EC.message();

  llvm::SmallString<256> Model(File);
  llvm::sys::path::remove_filename(Model);
  llvm::sys::path::append(Model, "." + llvm::sys::path::filename(File).str() + ".forksafe-%%%%%%");
  int FD;
  llvm::SmallString<256> Temp;
  if (std::error_code EC = llvm::sys::fs::createUniqueFile(Model, FD, Temp))
    return "cannot create a temporary file beside it: " + EC.message();
  auto Fail = [&](const std::string &Why) {
    ::close(FD);
    llvm::sys::fs::remove(Temp);
    return Why;
  };
  const char *P = Contents.data();
  size_t Left = Contents.size();
  while (Left) {
    ssize_t N = ::write(FD, P, Left);
    if (N < 0)
      return Fail("cannot write the fixed file: " + std::error_code(errno, std::generic_category()).message());
    P += N;
    Left -= N;
  }
  if (::fsync(FD) != 0)
    return Fail("cannot flush the fixed file: " + std::error_code(errno, std::generic_category()).message());
  if (std::error_code EC = llvm::sys::fs::setPermissions(FD, Status.permissions()))
    return Fail("cannot copy its permissions: " + EC.message());
  ::close(FD);
  if (std::error_code EC = llvm::sys::fs::rename(Temp, File)) {
    llvm::sys::fs::remove(Temp);
    return "cannot replace it with the fixed file: " + EC.message();
  }
  return "";
}

} // namespace forksafe
