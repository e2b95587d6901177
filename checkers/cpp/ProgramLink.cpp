//===--- ProgramLink.cpp - The summaries of a compile database, joined -----===//

#include "ProgramLink.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

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

std::shared_ptr<const ProgramLink> ProgramLink::load(const std::string &Path,
                                                     std::string &Error) {
  struct Entry {
    llvm::sys::TimePoint<> Modified;
    uint64_t Size = 0;
    std::shared_ptr<const ProgramLink> Link;
  };
  static std::mutex CacheLock;
  static std::map<std::string, Entry> Cache;

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

//===----------------------------------------------------------------------===//
// Hazards before forks, from each main
//===----------------------------------------------------------------------===//

namespace {
using Frame = std::pair<const SummaryEvent *, const FunctionSummary *>;

/// Where a hazard became live: the calls from main to it, the event, and, for a thread's
/// body, the function that runs in that thread.
struct Witness {
  std::vector<Frame> Stack;
  const SummaryEvent *Event = nullptr;
  const FunctionSummary *Body = nullptr;
};
using State = std::shared_ptr<const Witness>;
} // namespace

struct ProgramLink::Walk {
  Walk(const ProgramLink &L, Hazard H, const Extras &X, size_t Unit, const FunctionSummary *Main,
       std::map<SourcePoint, HazardStory> &Out)
      : L(L), H(H), X(X), Unit(Unit), Main(Main), Out(Out) {}

  const ProgramLink &L;
  Hazard H;
  const Extras &X;
  size_t Unit;
  const FunctionSummary *Main;
  std::map<SourcePoint, HazardStory> &Out;

  std::vector<Frame> Stack;
  std::set<std::pair<const FunctionSummary *, bool>> Visited;
  llvm::DenseMap<const FunctionSummary *, std::optional<std::vector<Frame>>> Inside;

  static constexpr unsigned MaxDepth = 256;

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
      if (const FunctionSummary *F = L.resolve(E.Target, Unit))
        Out.push_back(F);
    } else if (E.K == SummaryEvent::IndirectCall) {
      auto It = L.PointerTargets.find(E.Target);
      if (It != L.PointerTargets.end())
        for (const std::string &Usr : It->second)
          if (const FunctionSummary *F = L.resolve(Usr, Unit))
            Out.push_back(F);
    }
    return Out;
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

  State witnessThrough(const std::vector<Frame> &Chain) const {
    auto W = std::make_shared<Witness>();
    W->Stack = Stack;
    W->Stack.insert(W->Stack.end(), Chain.begin(), Chain.end() - 1);
    W->Event = Chain.back().first;
    return W;
  }

  void record(const SummaryEvent &Fork, const State &St) {
    if (Out.count(Fork.Loc))
      return;
    HazardStory S;
    S.Entry = {Main->Loc, Main->Name};
    S.Event = {St->Event->Loc, St->Event->Name};
    auto StepOf = [](const Frame &F) {
      return LinkStep{F.first->Loc, F.second ? F.second->Name : F.first->Name};
    };
    size_t PathStart = 0;
    if (St->Body) {
      // The fork runs in the thread: the path starts at the thread's body.
      S.ThreadBody = St->Body->Name;
      PathStart = St->Stack.size() + 1;
    } else {
      size_t Common = 0;
      while (Common < St->Stack.size() && Common < Stack.size() &&
             St->Stack[Common] == Stack[Common])
        ++Common;
      for (size_t I = Common; I < St->Stack.size(); ++I)
        S.Before.push_back(StepOf(St->Stack[I]));
    }
    for (size_t I = PathStart; I < Stack.size(); ++I)
      S.Path.push_back(StepOf(Stack[I]));
    Out.emplace(Fork.Loc, std::move(S));
  }

  /// Walks F's events in order with the hazard state In; returns the state after F.
  State run(const FunctionSummary *F, State In) {
    if (!Visited.insert({F, bool(In)}).second || Stack.size() >= MaxDepth) {
      if (In)
        return In;
      if (auto Chain = inside(F))
        return witnessThrough(*Chain);
      return nullptr;
    }
    State St = In;
    std::set<unsigned> LoopsSeen;
    for (const SummaryEvent &E : F->Events) {
      // Entering a loop that starts the hazard somewhere in its body: on the next iteration
      // it precedes everything in the loop.
      if (!St && E.Loop && LoopsSeen.insert(E.Loop).second)
        St = loopHazard(F, E.Loop);
      if (isFork(E) && St)
        record(E, St);
      if (isHazard(E)) {
        if (const FunctionSummary *Body = threadBody(E)) {
          auto W = std::make_shared<Witness>();
          W->Stack = Stack;
          W->Event = &E;
          W->Body = Body;
          Stack.push_back({&E, Body});
          run(Body, W);
          Stack.pop_back();
        }
        if (!St) {
          auto W = std::make_shared<Witness>();
          W->Stack = Stack;
          W->Event = &E;
          St = W;
        }
        continue;
      }
      for (const FunctionSummary *T : targets(E)) {
        Stack.push_back({&E, T});
        State After = run(T, St);
        Stack.pop_back();
        if (!St)
          St = After;
      }
    }
    return St;
  }

  const FunctionSummary *threadBody(const SummaryEvent &E) const {
    if (E.K != SummaryEvent::ThreadStart || E.Target.empty())
      return nullptr;
    return L.resolve(E.Target, Unit);
  }

  State loopHazard(const FunctionSummary *F, unsigned Loop) {
    for (const SummaryEvent &E : F->Events) {
      if (E.Loop != Loop)
        continue;
      if (isHazard(E))
        return witnessThrough({{&E, nullptr}});
      for (const FunctionSummary *T : targets(E))
        if (auto Chain = inside(T)) {
          std::vector<Frame> Full{{&E, T}};
          Full.insert(Full.end(), Chain->begin(), Chain->end());
          return witnessThrough(Full);
        }
    }
    return nullptr;
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
        W.run(&F, nullptr);
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
ProgramLink::firstUnsafe(llvm::StringRef Usr, const std::function<bool(llvm::StringRef)> &IsSafe,
                         bool ExecEnds) const {
  llvm::DenseSet<const FunctionSummary *> Entered;
  std::function<ChildResult(const FunctionSummary *, unsigned)> Visit =
      [&](const FunctionSummary *F, unsigned Depth) -> ChildResult {
    ChildResult R;
    size_t Unit = SIZE_MAX;
    if (auto It = Definitions.find(F->Usr); It != Definitions.end())
      Unit = It->second.front().first;
    auto Unsafe = [&](const SummaryEvent &E, std::string Description) {
      R.Found = ChildEffect{std::move(Description), {}, {E.Loc, E.Name}};
      return R;
    };
    for (const SummaryEvent &E : F->Events) {
      switch (E.K) {
      case SummaryEvent::Call: {
        const FunctionSummary *T = resolve(E.Target, Unit);
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
  const FunctionSummary *F = resolve(Usr, SIZE_MAX);
  if (!F)
    return std::nullopt;
  Entered.insert(F);
  return Visit(F, 0).Found;
}

std::optional<ChildEffect> ProgramLink::exitReached(llvm::StringRef Usr) const {
  llvm::DenseSet<const FunctionSummary *> Entered;
  std::function<ChildResult(const FunctionSummary *, unsigned)> Visit =
      [&](const FunctionSummary *F, unsigned Depth) -> ChildResult {
    ChildResult R;
    size_t Unit = SIZE_MAX;
    if (auto It = Definitions.find(F->Usr); It != Definitions.end())
      Unit = It->second.front().first;
    for (const SummaryEvent &E : F->Events) {
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
      const FunctionSummary *T = resolve(E.Target, Unit);
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
  const FunctionSummary *F = resolve(Usr, SIZE_MAX);
  if (!F)
    return std::nullopt;
  Entered.insert(F);
  return Visit(F, 0).Found;
}

} // namespace clang::tidy::forksafe
