#include "Fixes.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"

#include <algorithm>
#include <map>
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

void prepareFixWrites() { llvm::sys::SetInterruptFunction(nullptr); } // registers the handlers

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

/// The edits of the diagnostics in Chosen, applied to Text; Whole is set when every edit of
/// every chosen diagnostic went in (an overlap leaves a fix half applied: not taken then).
static std::string applyChosen(llvm::StringRef Text, const std::vector<Diagnostic> &Diags,
                               const std::vector<size_t> &Chosen, std::vector<size_t> &Complete) {
  std::vector<Edit> Edits;
  std::vector<size_t> Owner;
  for (size_t I : Chosen)
    for (const Edit &E : Diags[I].FixIt->Edits) {
      Edits.push_back(E);
      Owner.push_back(I);
    }
  std::vector<bool> Taken;
  applyEdits(Text, Edits, Taken);
  // A diagnostic whose edits did not all fit is left out entirely, then the rest is applied again.
  std::map<size_t, bool> AllIn;
  for (size_t K = 0; K < Edits.size(); ++K) {
    auto It = AllIn.emplace(Owner[K], true).first;
    It->second = It->second && Taken[K];
  }
  Complete.clear();
  std::vector<Edit> Kept;
  for (size_t K = 0; K < Edits.size(); ++K)
    if (AllIn[Owner[K]])
      Kept.push_back(Edits[K]);
  for (auto &KV : AllIn)
    if (KV.second)
      Complete.push_back(KV.first);
  return applyEdits(Text, Kept, Taken);
}

std::string applyFixesOnce(llvm::StringRef Text, const std::vector<Diagnostic> &Diags, bool Unsafe,
                           const std::function<bool(llvm::StringRef)> &Check, std::vector<size_t> &Applied,
                           std::vector<size_t> &Refused) {
  Applied.clear();
  Refused.clear();
  std::vector<size_t> Wanted;
  for (size_t I = 0; I < Diags.size(); ++I)
    if (fixWanted(Diags[I], Unsafe))
      Wanted.push_back(I);
  if (Wanted.empty())
    return Text.str();
  std::string Out = applyChosen(Text, Diags, Wanted, Applied);
  if (!Check || Applied.empty() || Check(Out))
    return Out;
  // Some fix breaks the file: find which, keeping every fix that does not.
  std::vector<size_t> Good, Complete;
  for (size_t I : Wanted) {
    std::vector<size_t> Trial = Good;
    Trial.push_back(I);
    std::string T = applyChosen(Text, Diags, Trial, Complete);
    if (std::find(Complete.begin(), Complete.end(), I) == Complete.end())
      continue; // overlaps an earlier fix: left for the next pass
    if (Check(T))
      Good.push_back(I);
    else
      Refused.push_back(I);
  }
  if (Good.empty()) {
    Applied.clear();
    return Text.str();
  }
  return applyChosen(Text, Diags, Good, Applied);
}

static std::vector<llvm::StringRef> splitLines(llvm::StringRef Text) {
  std::vector<llvm::StringRef> Lines;
  while (!Text.empty()) {
    size_t NL = Text.find('\n');
    if (NL == llvm::StringRef::npos) {
      Lines.push_back(Text);
      break;
    }
    Lines.push_back(Text.take_front(NL + 1));
    Text = Text.drop_front(NL + 1);
  }
  return Lines;
}

std::string unifiedDiff(llvm::StringRef Path, llvm::StringRef Before, llvm::StringRef After) {
  if (Before == After)
    return "";
  std::vector<llvm::StringRef> A = splitLines(Before), B = splitLines(After);
  // The common head and tail are matched directly; the middle by a shortest edit script, or,
  // if that is too costly, replaced as a whole (still a valid diff).
  size_t Head = 0;
  while (Head < A.size() && Head < B.size() && A[Head] == B[Head])
    ++Head;
  size_t Tail = 0;
  while (Tail < A.size() - Head && Tail < B.size() - Head && A[A.size() - 1 - Tail] == B[B.size() - 1 - Tail])
    ++Tail;
  size_t N = A.size() - Head - Tail, M = B.size() - Head - Tail;
  // Ops over the whole files: ' ' same, '-' only in A, '+' only in B.
  std::vector<std::pair<char, llvm::StringRef>> Ops;
  for (size_t I = 0; I < Head; ++I)
    Ops.push_back({' ', A[I]});
  // Myers' shortest edit script over the middle: O((N+M)·D), small for the few lines fixes
  // change; past a bound (a fix that re-indents a whole file) the middle is replaced whole.
  std::vector<std::vector<long>> Trace;
  long Max = N + M, D = 0;
  bool Found = N == 0 && M == 0;
  std::vector<long> V(2 * Max + 3, 0);
  auto At = [&](std::vector<long> &Vec, long K) -> long & { return Vec[K + Max + 1]; };
  for (; !Found && D <= Max && (D + 1) * (2 * Max + 3) <= 4000000; ++D) {
    Trace.push_back(V);
    for (long K = -D; K <= D; K += 2) {
      long X = (K == -D || (K != D && At(V, K - 1) < At(V, K + 1))) ? At(V, K + 1) : At(V, K - 1) + 1;
      long Y = X - K;
      while (X < (long)N && Y < (long)M && A[Head + X] == B[Head + Y])
        ++X, ++Y;
      At(V, K) = X;
      if (X >= (long)N && Y >= (long)M) {
        Found = true;
        break;
      }
    }
    if (Found)
      break;
  }
  if (Found && (N || M)) {
    // Walk back from (N, M) through the saved frontiers.
    std::vector<std::pair<char, llvm::StringRef>> Middle;
    long X = N, Y = M;
    for (long Dd = D; Dd > 0; --Dd) {
      std::vector<long> &Prev = Trace[Dd];
      long K = X - Y;
      long PrevK = (K == -Dd || (K != Dd && At(Prev, K - 1) < At(Prev, K + 1))) ? K + 1 : K - 1;
      long PrevX = At(Prev, PrevK), PrevY = PrevX - PrevK;
      while (X > PrevX && Y > PrevY)
        Middle.push_back({' ', A[Head + --X]}), --Y;
      if (X == PrevX)
        Middle.push_back({'+', B[Head + --Y]});
      else
        Middle.push_back({'-', A[Head + --X]});
    }
    while (X > 0 && Y > 0)
      Middle.push_back({' ', A[Head + --X]}), --Y;
    Ops.insert(Ops.end(), Middle.rbegin(), Middle.rend());
  } else {
    for (size_t I = 0; I < N; ++I)
      Ops.push_back({'-', A[Head + I]});
    for (size_t J = 0; J < M; ++J)
      Ops.push_back({'+', B[Head + J]});
  }
  for (size_t I = A.size() - Tail; I < A.size(); ++I)
    Ops.push_back({' ', A[I]});

  std::string Out = "--- " + Path.str() + "\n+++ " + Path.str() + "\n";
  const size_t Context = 3;
  size_t K = 0;
  while (K < Ops.size()) {
    // The next change, and the hunk around it: changes closer than 2*Context join it.
    while (K < Ops.size() && Ops[K].first == ' ')
      ++K;
    if (K == Ops.size())
      break;
    size_t Start = K >= Context ? K - Context : 0;
    size_t End = K;
    while (true) {
      while (End < Ops.size() && Ops[End].first != ' ')
        ++End;
      size_t Next = End;
      while (Next < Ops.size() && Ops[Next].first == ' ')
        ++Next;
      if (Next < Ops.size() && Next - End <= 2 * Context) {
        End = Next;
        continue;
      }
      End = std::min(Ops.size(), End + Context);
      break;
    }
    // Line numbers of the hunk's start in each file.
    size_t ALine = 1, BLine = 1, ACount = 0, BCount = 0;
    for (size_t I = 0; I < Start; ++I) {
      ALine += Ops[I].first != '+';
      BLine += Ops[I].first != '-';
    }
    for (size_t I = Start; I < End; ++I) {
      ACount += Ops[I].first != '+';
      BCount += Ops[I].first != '-';
    }
    // diff -u names the line before an empty range.
    Out += "@@ -" + std::to_string(ACount ? ALine : ALine - 1);
    if (ACount != 1)
      Out += "," + std::to_string(ACount);
    Out += " +" + std::to_string(BCount ? BLine : BLine - 1);
    if (BCount != 1)
      Out += "," + std::to_string(BCount);
    Out += " @@\n";
    for (size_t I = Start; I < End; ++I) {
      Out += Ops[I].first;
      Out += Ops[I].second.str();
      if (Ops[I].second.empty() || Ops[I].second.back() != '\n')
        Out += "\n\\ No newline at end of file\n";
    }
    K = End;
  }
  return Out;
}

} // namespace forksafe
