//===--- ProgramLink.cpp - The summaries of a compile database, joined -----===//

#include "ProgramLink.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>
#include <set>

namespace clang::tidy::forksafe {

ProgramLink::ProgramLink(ProgramSummary S) : Summaries(std::move(S)) {
  for (size_t U = 0; U < Summaries.Units.size(); ++U) {
    const UnitSummary &Unit = Summaries.Units[U];
    for (size_t F = 0; F < Unit.Functions.size(); ++F) {
      const FunctionSummary &Fn = Unit.Functions[F];
      Definitions[Fn.Usr].push_back({U, F});
      for (const SummaryEvent &E : Fn.Events)
        if (E.K == SummaryEvent::Call && !E.Target.empty())
          CallerUnits[E.Target].insert(Unit.File);
    }
    for (const AddressTaken &A : Unit.Pointers) {
      std::vector<std::string> &Targets = PointerTargets[A.Type];
      if (std::find(Targets.begin(), Targets.end(), A.Usr) == Targets.end())
        Targets.push_back(A.Usr);
    }
  }
  // Wrappers of wrappers, in any unit: until nothing changes.
  for (const UnitSummary &Unit : Summaries.Units)
    for (const FunctionSummary &F : Unit.Functions)
      if (F.ReturnsForkResult)
        Wrappers.insert(F.Usr);
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (const UnitSummary &Unit : Summaries.Units)
      for (const FunctionSummary &F : Unit.Functions)
        if (!Wrappers.count(F.Usr))
          for (const std::string &R : F.ReturnsResultOf)
            if (Wrappers.count(R)) {
              Wrappers.insert(F.Usr);
              Changed = true;
              break;
            }
  }
}

ProgramLink::~ProgramLink() = default;

namespace {
std::mutex ProvidedLock;
std::map<std::string, std::shared_ptr<const ProgramLink>> &provided() {
  static std::map<std::string, std::shared_ptr<const ProgramLink>> Links;
  return Links;
}
std::shared_ptr<const ProgramLink> providedFor(const std::string &Path) {
  std::lock_guard<std::mutex> Guard(ProvidedLock);
  auto It = provided().find(Path);
  return It == provided().end() ? nullptr : It->second;
}
} // namespace

void ProgramLink::provide(const std::string &Path, std::shared_ptr<const ProgramLink> Link) {
  std::lock_guard<std::mutex> Guard(ProvidedLock);
  if (Link)
    provided()[Path] = std::move(Link);
  else
    provided().erase(Path);
}

std::shared_ptr<const ProgramLink> ProgramLink::load(const std::string &Path,
                                                     std::string &Error) {
  if (std::shared_ptr<const ProgramLink> Given = providedFor(Path))
    return Given;
  struct Entry {
    llvm::sys::TimePoint<> Modified;
    uint64_t Size = 0;
    std::shared_ptr<const ProgramLink> Link;
  };
  static std::mutex CacheLock;
  // Left to the process's exit, as clang's -disable-free does: freeing a linked program of
  // redis's size took longer (about 5 ms) than most checks of a unit.
  static std::map<std::string, Entry> &Cache = *new std::map<std::string, Entry>;

  llvm::sys::fs::file_status Status;
  if (std::error_code EC = llvm::sys::fs::status(Path, Status)) {
    Error = "cannot read the summary file '" + Path + "': " + EC.message();
    return nullptr;
  }
  std::lock_guard<std::mutex> Guard(CacheLock);
  Entry &E = Cache[Path];
  if (E.Link && E.Modified == Status.getLastModificationTime() && E.Size == Status.getSize())
    return E.Link;
  auto Buf = llvm::MemoryBuffer::getFile(Path);
  if (!Buf) {
    Error = "cannot read the summary file '" + Path + "': " + Buf.getError().message();
    return nullptr;
  }
  llvm::Expected<ProgramSummary> P = programFromJson((*Buf)->getBuffer());
  if (!P) {
    Error = "'" + Path + "': " + llvm::toString(P.takeError());
    return nullptr;
  }
  E.Modified = Status.getLastModificationTime();
  E.Size = Status.getSize();
  E.Link = std::make_shared<const ProgramLink>(std::move(*P));
  return E.Link;
}

size_t ProgramLink::programs() const {
  size_t N = 0;
  for (const UnitSummary &U : Summaries.Units)
    for (const FunctionSummary &F : U.Functions)
      N += F.IsMain;
  return N;
}

const FunctionSummary *ProgramLink::resolve(llvm::StringRef Usr, size_t PreferUnit) const {
  auto It = Definitions.find(Usr);
  if (It == Definitions.end() || It->second.empty())
    return nullptr;
  // A program links its own unit's definition; otherwise the one other unit that defines it
  // (several: the first, as a linker given the units in database order would).
  for (const auto &[U, F] : It->second)
    if (U == PreferUnit)
      return &Summaries.Units[U].Functions[F];
  const auto &[U, F] = It->second.front();
  return &Summaries.Units[U].Functions[F];
}

std::optional<std::vector<std::string>> ProgramLink::wrapperNames(const std::string &Path,
                                                                  std::string &Error) {
  if (std::shared_ptr<const ProgramLink> Given = providedFor(Path))
    return Given->forkWrapperNames();
  auto Buf = llvm::MemoryBuffer::getFile(Path);
  if (!Buf) {
    Error = "cannot read the summary file '" + Path + "': " + Buf.getError().message();
    return std::nullopt;
  }
  llvm::Expected<std::optional<std::vector<std::string>>> Names =
      forkWrapperIndex((*Buf)->getBuffer());
  if (!Names) {
    Error = "'" + Path + "': " + llvm::toString(Names.takeError());
    return std::nullopt;
  }
  return *Names;
}

std::vector<std::string> ProgramLink::forkWrapperNames() const {
  std::set<std::string> Names;
  for (const UnitSummary &U : Summaries.Units)
    for (const FunctionSummary &F : U.Functions)
      if (Wrappers.count(F.Usr))
        Names.insert(F.Name);
  return {Names.begin(), Names.end()};
}

std::optional<LinkStep> ProgramLink::forkInside(llvm::StringRef Usr) const {
  const FunctionSummary *F = resolve(Usr, SIZE_MAX);
  for (unsigned Depth = 0; F && Depth < 16; ++Depth) {
    for (const SummaryEvent &E : F->Events)
      if (E.K == SummaryEvent::Fork)
        return LinkStep{E.Loc, E.Name};
    const FunctionSummary *Next = nullptr;
    for (const std::string &R : F->ReturnsResultOf)
      if (Wrappers.count(R) && (Next = resolve(R, SIZE_MAX)))
        break;
    F = Next;
  }
  return std::nullopt;
}

bool ProgramLink::calledOutside(llvm::StringRef Usr, llvm::StringRef File) const {
  auto It = CallerUnits.find(Usr);
  if (It == CallerUnits.end())
    return false;
  for (const auto &Unit : It->second)
    if (Unit.getKey() != File)
      return true;
  return false;
}

std::set<size_t> ProgramLink::unitsFrom(size_t Start) const {
  std::set<size_t> Units{Start};
  std::vector<size_t> Work{Start};
  while (!Work.empty()) {
    size_t U = Work.back();
    Work.pop_back();
    for (const FunctionSummary &F : Summaries.Units[U].Functions)
      for (const SummaryEvent &E : F.Events) {
        if (E.K != SummaryEvent::Call && E.K != SummaryEvent::ThreadStart)
          continue;
        auto It = Definitions.find(E.Target);
        if (It == Definitions.end() || It->second.empty())
          continue;
        // Only a function that one unit defines pulls that unit in.
        size_t Defining = It->second.front().first;
        if (llvm::any_of(It->second, [Defining](const std::pair<size_t, size_t> &D) {
              return D.first != Defining;
            }))
          continue;
        if (Units.insert(Defining).second)
          Work.push_back(Defining);
      }
  }
  return Units;
}

const FunctionSummary *ProgramLink::resolveFrom(llvm::StringRef Usr,
                                                llvm::StringRef FromFile) const {
  auto It = Definitions.find(Usr);
  if (It == Definitions.end() || It->second.empty())
    return nullptr;
  if (It->second.size() > 1) {
    std::lock_guard<std::mutex> Guard(Lock);
    auto Cached = LinkedFrom.find(FromFile);
    if (Cached == LinkedFrom.end()) {
      std::set<size_t> Units;
      for (size_t U = 0; U < Summaries.Units.size(); ++U)
        if (Summaries.Units[U].File == FromFile)
          Units = unitsFrom(U);
      Cached = LinkedFrom.try_emplace(FromFile, std::move(Units)).first;
    }
    for (const auto &[U, F] : It->second)
      if (Cached->second.count(U))
        return &Summaries.Units[U].Functions[F];
  }
  return resolve(Usr, SIZE_MAX);
}

//===----------------------------------------------------------------------===//
// Hazards before forks, from each main
//===----------------------------------------------------------------------===//

namespace {
using Frame = std::pair<const SummaryEvent *, const FunctionSummary *>;

/// Where a hazard became live: in the function of node Node (reached from main), through the
/// calls of Chain whose last frame is the event itself; Body: the function that runs in the
/// thread started there (the fork is inside that thread).
struct Witness {
  int Node = -1;
  std::vector<Frame> Chain;
  const FunctionSummary *Body = nullptr;
};
using State = std::shared_ptr<const Witness>;
} // namespace

/// One program's search: a breadth-first search over (function, hazard live on entry), so
/// the story of a fork is a shortest chain of calls from main. A function's events are taken
/// in order: the state at each call follows from the state on entry and what came before.
struct ProgramLink::Walk {
  Walk(const ProgramLink &L, Hazard H, const Extras &X, size_t Unit, const FunctionSummary *Main,
       std::map<SourcePoint, HazardStory> &Out)
      : L(L), H(H), X(X), Unit(Unit), Main(Main), Out(Out) {
    programUnits();
  }

  const ProgramLink &L;
  Hazard H;
  const Extras &X;
  size_t Unit;
  const FunctionSummary *Main;
  std::map<SourcePoint, HazardStory> &Out;

  struct Node {
    const FunctionSummary *F;
    State In;
    int Parent;
    Frame Via; ///< the call (or thread start) from the parent's function
  };
  std::vector<Node> Nodes;
  std::map<std::pair<const FunctionSummary *, bool>, int> Seen;
  llvm::DenseMap<const FunctionSummary *, std::optional<std::vector<Frame>>> Inside;
  /// The units linked into this program, and the functions whose address they take.
  std::set<size_t> Units;
  llvm::StringMap<std::vector<const FunctionSummary *>> Pointers;

  void programUnits() {
    Units = L.unitsFrom(Unit);
    for (size_t U : Units)
      for (const AddressTaken &A : L.Summaries.Units[U].Pointers)
        if (const FunctionSummary *F = resolve(A.Usr))
          Pointers[A.Type].push_back(F);
  }

  const FunctionSummary *resolve(llvm::StringRef Usr) const {
    auto It = L.Definitions.find(Usr);
    if (It == L.Definitions.end())
      return nullptr;
    for (const auto &D : It->second)
      if (Units.count(D.first))
        return &L.Summaries.Units[D.first].Functions[D.second];
    return L.resolve(Usr, Unit);
  }

  bool isHazard(const SummaryEvent &E) const {
    if (H == Gpu)
      return E.K == SummaryEvent::GpuInit;
    return E.K == SummaryEvent::ThreadStart ||
           ((E.K == SummaryEvent::Call || E.K == SummaryEvent::LibraryCall) &&
            X.ThreadStarters.count(E.Name));
  }
  bool isFork(const SummaryEvent &E) const {
    if (E.K == SummaryEvent::Fork)
      return true;
    if (E.K != SummaryEvent::Call && E.K != SummaryEvent::LibraryCall)
      return false;
    return X.ForkFunctions.count(E.Name) ||
           (E.K == SummaryEvent::Call && L.Wrappers.count(E.Target));
  }

  llvm::SmallVector<const FunctionSummary *, 4> targets(const SummaryEvent &E) const {
    llvm::SmallVector<const FunctionSummary *, 4> Out;
    if (E.K == SummaryEvent::Call) {
      if (const FunctionSummary *F = resolve(E.Target))
        Out.push_back(F);
    } else if (E.K == SummaryEvent::IndirectCall) {
      auto It = Pointers.find(E.Target);
      if (It != Pointers.end())
        Out.append(It->second.begin(), It->second.end());
    }
    return Out;
  }

  const FunctionSummary *threadBody(const SummaryEvent &E) const {
    if (E.K != SummaryEvent::ThreadStart || E.Target.empty())
      return nullptr;
    return resolve(E.Target);
  }

  /// The first hazard in F or what it calls: the calls leading to it, then the event.
  std::optional<std::vector<Frame>> inside(const FunctionSummary *F) {
    auto It = Inside.find(F);
    if (It != Inside.end())
      return It->second;
    Inside[F] = std::nullopt; // recursion guard
    std::optional<std::vector<Frame>> Found;
    for (const SummaryEvent &E : F->Events) {
      if (isHazard(E)) {
        Found = std::vector<Frame>{{&E, nullptr}};
        break;
      }
      for (const FunctionSummary *T : targets(E))
        if (auto Deeper = inside(T)) {
          Found = std::vector<Frame>{{&E, T}};
          Found->insert(Found->end(), Deeper->begin(), Deeper->end());
          break;
        }
      if (Found)
        break;
    }
    Inside[F] = Found;
    return Found;
  }

  /// Calls from main to node N.
  std::vector<Frame> pathTo(int N) const {
    std::vector<Frame> Path;
    for (; N >= 0 && Nodes[N].Parent >= 0; N = Nodes[N].Parent)
      Path.push_back(Nodes[N].Via);
    std::reverse(Path.begin(), Path.end());
    return Path;
  }

  void record(const SummaryEvent &Fork, int N, const Witness &W) {
    if (Out.count(Fork.Loc))
      return;
    HazardStory S;
    S.Entry = {Main->Loc, Main->Name};
    const Frame &Event = W.Chain.back();
    S.Event = {Event.first->Loc, Event.first->Name};
    auto StepOf = [](const Frame &F) {
      return LinkStep{F.first->Loc, F.second ? F.second->Name : F.first->Name};
    };
    std::vector<Frame> Path = pathTo(N);
    std::vector<Frame> Before = pathTo(W.Node);
    size_t PathStart = 0;
    if (W.Body) {
      // The fork runs in the thread: the path starts at the thread's body.
      S.ThreadBody = W.Body->Name;
      PathStart = Before.size() + 1;
    } else {
      Before.insert(Before.end(), W.Chain.begin(), W.Chain.end() - 1);
      size_t Common = 0;
      while (Common < Before.size() && Common < Path.size() && Before[Common] == Path[Common])
        ++Common;
      for (size_t I = Common; I < Before.size(); ++I)
        S.Before.push_back(StepOf(Before[I]));
    }
    for (size_t I = PathStart; I < Path.size(); ++I)
      S.Path.push_back(StepOf(Path[I]));
    Out.emplace(Fork.Loc, std::move(S));
  }

  void enqueue(const FunctionSummary *F, State In, int Parent, Frame Via,
               std::vector<int> &Queue) {
    if (!Seen.emplace(std::make_pair(F, bool(In)), int(Nodes.size())).second)
      return;
    Nodes.push_back({F, std::move(In), Parent, Via});
    Queue.push_back(int(Nodes.size()) - 1);
  }

  void run() {
    std::vector<int> Queue;
    enqueue(Main, nullptr, -1, {nullptr, nullptr}, Queue);
    for (size_t Q = 0; Q < Queue.size(); ++Q) {
      int N = Queue[Q];
      const FunctionSummary *F = Nodes[N].F;
      State St = Nodes[N].In;
      auto Live = [&](std::vector<Frame> Chain) {
        auto W = std::make_shared<Witness>();
        W->Node = N;
        W->Chain = std::move(Chain);
        St = W;
      };
      std::set<unsigned> LoopsSeen;
      for (const SummaryEvent &E : F->Events) {
        // Entering a loop that starts the hazard somewhere in its body: on the next
        // iteration it precedes everything in the loop.
        if (!St && E.Loop && LoopsSeen.insert(E.Loop).second)
          if (auto Chain = loopHazard(F, E.Loop))
            Live(std::move(*Chain));
        if (isFork(E) && St)
          record(E, N, *St);
        if (isHazard(E)) {
          if (const FunctionSummary *Body = threadBody(E)) {
            auto W = std::make_shared<Witness>();
            W->Node = N;
            W->Chain = {{&E, Body}};
            W->Body = Body;
            enqueue(Body, W, N, {&E, Body}, Queue);
          }
          if (!St)
            Live({{&E, nullptr}});
          continue;
        }
        for (const FunctionSummary *T : targets(E)) {
          enqueue(T, St, N, {&E, T}, Queue);
          if (!St)
            if (auto Chain = inside(T)) {
              std::vector<Frame> Full{{&E, T}};
              Full.insert(Full.end(), Chain->begin(), Chain->end());
              Live(std::move(Full));
            }
        }
      }
    }
  }

  std::optional<std::vector<Frame>> loopHazard(const FunctionSummary *F, unsigned Loop) {
    for (const SummaryEvent &E : F->Events) {
      if (E.Loop != Loop)
        continue;
      if (isHazard(E))
        return std::vector<Frame>{{&E, nullptr}};
      for (const FunctionSummary *T : targets(E))
        if (auto Chain = inside(T)) {
          std::vector<Frame> Full{{&E, T}};
          Full.insert(Full.end(), Chain->begin(), Chain->end());
          return Full;
        }
    }
    return std::nullopt;
  }
};

const std::map<SourcePoint, HazardStory> &ProgramLink::stories(Hazard H,
                                                               const Extras &X) const {
  std::string Key = std::to_string(int(H));
  for (const auto &N : X.ThreadStarters)
    Key += ";t:" + N.getKey().str();
  for (const auto &N : X.ForkFunctions)
    Key += ";f:" + N.getKey().str();
  std::lock_guard<std::mutex> Guard(Lock);
  auto It = Stories.find(Key);
  if (It != Stories.end())
    return It->second;
  std::map<SourcePoint, HazardStory> &Out = Stories[Key];
  // Each main is its own program: a shared file's fork is judged in each one.
  for (size_t U = 0; U < Summaries.Units.size(); ++U)
    for (const FunctionSummary &F : Summaries.Units[U].Functions)
      if (F.IsMain) {
        Walk W(*this, H, X, U, &F, Out);
        W.run();
      }
  return Out;
}

std::optional<HazardStory> ProgramLink::hazardAt(Hazard H, const SourcePoint &Site,
                                                 const Extras &X) const {
  const auto &All = stories(H, X);
  auto It = All.find(Site);
  if (It == All.end())
    return std::nullopt;
  return It->second;
}

//===----------------------------------------------------------------------===//
// What a child does in functions of other units
//===----------------------------------------------------------------------===//

namespace {
struct ChildResult {
  std::optional<ChildEffect> Found;
  bool Ends = false; ///< the process ends (or execs) on every path here
};
} // namespace

std::optional<ChildEffect>
ProgramLink::firstUnsafe(llvm::StringRef Usr, llvm::StringRef FromFile,
                         const std::function<bool(llvm::StringRef)> &IsSafe,
                         bool ExecEnds) const {
  llvm::DenseSet<const FunctionSummary *> Entered;
  std::function<ChildResult(const FunctionSummary *, unsigned)> Visit =
      [&](const FunctionSummary *F, unsigned Depth) -> ChildResult {
    ChildResult R;
    auto Unsafe = [&](const SummaryEvent &E, std::string Description) {
      R.Found = ChildEffect{std::move(Description), {}, {E.Loc, E.Name}};
      return R;
    };
    for (const SummaryEvent &E : F->Events) {
      switch (E.K) {
      case SummaryEvent::Call: {
        const FunctionSummary *T = resolveFrom(E.Target, FromFile);
        if (!T)
          return Unsafe(E, "calls '" + E.Name +
                               "', which is defined outside the program and not known to be "
                               "async-signal-safe,");
        if (Depth >= 16 || !Entered.insert(T).second)
          break;
        ChildResult Inner = Visit(T, Depth + 1);
        if (Inner.Found) {
          Inner.Found->Chain.insert(Inner.Found->Chain.begin(), LinkStep{E.Loc, T->Name});
          return Inner;
        }
        if (Inner.Ends && E.Unconditional)
          return Inner;
        break;
      }
      case SummaryEvent::IndirectCall:
        return Unsafe(E, "makes an indirect call");
      case SummaryEvent::Unsafe:
        return Unsafe(E, E.Name);
      case SummaryEvent::Lock:
        return Unsafe(E, "locks '" + E.Name + "'");
      case SummaryEvent::ImmediateExit:
        if (E.Unconditional) {
          R.Ends = true;
          return R;
        }
        break;
      case SummaryEvent::Exec:
        if (!IsSafe(E.Name))
          return Unsafe(E, "calls '" + E.Name + "', which is not async-signal-safe,");
        if (ExecEnds && E.Unconditional) {
          R.Ends = true;
          return R;
        }
        break;
      default:
        if (!IsSafe(E.Name))
          return Unsafe(E, "calls '" + E.Name + "', which is not async-signal-safe,");
        break;
      }
    }
    return R;
  };
  const FunctionSummary *F = resolveFrom(Usr, FromFile);
  if (!F)
    return std::nullopt;
  Entered.insert(F);
  return Visit(F, 0).Found;
}

std::optional<ChildEffect> ProgramLink::exitReached(llvm::StringRef Usr,
                                                    llvm::StringRef FromFile) const {
  llvm::DenseSet<const FunctionSummary *> Entered;
  std::function<ChildResult(const FunctionSummary *, unsigned)> Visit =
      [&](const FunctionSummary *F, unsigned Depth) -> ChildResult {
    ChildResult R;
    for (const SummaryEvent &E : F->Events) {
      // Beyond the function the child calls, only what always runs: an exit deep in an
      // error path of a helper's helper (an assertion's crash report) is not the child's.
      if (Depth > 0 && !E.Unconditional)
        continue;
      if (E.K == SummaryEvent::Exit) {
        R.Found = ChildEffect{"calls exit()", {}, {E.Loc, E.Name}};
        return R;
      }
      if (E.K == SummaryEvent::ImmediateExit && E.Unconditional) {
        R.Ends = true;
        return R;
      }
      if (E.K != SummaryEvent::Call)
        continue;
      const FunctionSummary *T = resolveFrom(E.Target, FromFile);
      if (!T || Depth >= 16 || !Entered.insert(T).second)
        continue;
      ChildResult Inner = Visit(T, Depth + 1);
      if (Inner.Found) {
        Inner.Found->Chain.insert(Inner.Found->Chain.begin(), LinkStep{E.Loc, T->Name});
        return Inner;
      }
      if (Inner.Ends && E.Unconditional)
        return Inner;
    }
    return R;
  };
  const FunctionSummary *F = resolveFrom(Usr, FromFile);
  if (!F)
    return std::nullopt;
  Entered.insert(F);
  return Visit(F, 0).Found;
}

bool ProgramLink::neverReturns(llvm::StringRef Usr, llvm::StringRef FromFile) const {
  llvm::DenseSet<const FunctionSummary *> Entered;
  std::function<bool(const FunctionSummary *, unsigned)> Ends = [&](const FunctionSummary *F,
                                                                    unsigned Depth) {
    if (F->NeverReturns)
      return true;
    if (F->HasReturn || Depth >= 16 || !Entered.insert(F).second)
      return false;
    for (const SummaryEvent &E : F->Events)
      if (E.K == SummaryEvent::Call && E.Unconditional && !E.Loop)
        if (const FunctionSummary *T = resolveFrom(E.Target, FromFile))
          if (Ends(T, Depth + 1))
            return true;
    return false;
  };
  const FunctionSummary *F = resolveFrom(Usr, FromFile);
  return F && Ends(F, 0);
}

} // namespace clang::tidy::forksafe
