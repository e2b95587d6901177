#include "python/Prefilter.h"

#include "llvm/ADT/StringExtras.h"

#include "python/ApiTable.h"

#include <algorithm>
#include <cstring>

namespace forksafe {
namespace python {

namespace {

using detail::isWordChar;

/// The index of a word's first two bytes in TriggerWords::Starts.
inline unsigned startOf(const char *W) {
  return static_cast<unsigned char>(W[0]) << 8 | static_cast<unsigned char>(W[1]);
}

llvm::StringRef rootOf(llvm::StringRef Name) { return Name.split('.').first; }
llvm::StringRef leafOf(llvm::StringRef Name) { return Name.rsplit('.').second.empty() ? Name : Name.rsplit('.').second; }

/// The word a module that calls Name spells, for summaries: the last class in the name
/// (`Pool` for multiprocessing.pool.Pool.map: the pool is made there, or its type would be
/// unknown), else the function's name; `cuda` for torch.cuda.*. Roots such as logging or
/// asyncio are named by too many modules that start nothing. A call spells both the
/// function's name and (in its import) its root.
llvm::StringRef summaryWord(llvm::StringRef Name) {
  Name.consume_back(".*");
  Name.consume_back("."); // prefix entries: "jax."
  llvm::SmallVector<llvm::StringRef, 6> Parts;
  Name.split(Parts, '.');
  for (auto It = Parts.rbegin(); It != Parts.rend(); ++It)
    if (!It->empty() && It->front() >= 'A' && It->front() <= 'Z')
      return *It;
  // A function named by a common word (grpc.server, torch.multiprocessing.spawn): its
  // module's root, which the import spells too.
  llvm::StringRef Leaf = Parts.back();
  if (Leaf == "server" || Leaf == "spawn" || Leaf == "run" || Leaf == "start")
    return Parts.front();
  return Leaf;
}

constexpr unsigned ProcessFlags = StartsProcesses | FirstUseStarts | Forks | SetsStartMethod | PicklesCallable |
                                  PicklesInitializer;

} // namespace

bool containsWord(llvm::StringRef Source, llvm::StringRef Word) {
  if (Word.empty())
    return false;
  for (size_t At = findText(Source, Word); At != llvm::StringRef::npos;
       At = findText(Source, Word, At + 1)) {
    size_t End = At + Word.size();
    if ((At == 0 || !isWordChar(Source[At - 1])) && (End == Source.size() || !isWordChar(Source[End])))
      return true;
  }
  return false;
}

TriggerWords::TriggerWords(const ApiTable &Api) {
  auto Add = [&](RuleNeeds Need, llvm::StringRef Word) {
    if (Word.empty())
      return;
    std::vector<std::string> &V = ByNeed[unsigned(Need)];
    if (std::find(V.begin(), V.end(), Word) == V.end())
      V.push_back(Word.str());
  };
  Api.forEach([&](llvm::StringRef Name, const ApiEntry &E) {
    llvm::StringRef Root = rootOf(Name);
    // os.fork, os.forkpty, pty.fork: the function's name; every file names "os".
    llvm::StringRef ForkWord = (E.Flags & Forks) ? leafOf(Name) : Root;
    if (E.StartMethod.present())
      Add(RuleNeeds::StartMethodApi, Root);
    if (E.Flags & (StartsProcesses | FirstUseStarts))
      Add(RuleNeeds::ProcessStart, Root);
    if (E.Flags & (PicklesCallable | PicklesInitializer))
      Add(RuleNeeds::PickledCallable, Root);
    // set_start_method is found by its own name, whatever its module.
    if (E.Flags & SetsStartMethod)
      Add(RuleNeeds::SetStartMethod, leafOf(Name));
    if (E.Flags & RunsPreexecFn) {
      // Passed by keyword, the keyword is spelled; by position, only through the module.
      if (E.PreexecFn.Keyword)
        Add(RuleNeeds::PreexecFn, E.PreexecFn.Keyword);
      if (E.PreexecFn.Position >= 0)
        Add(RuleNeeds::PreexecFn, Root);
    }
    // The flow rules need a fork or a process start; anything about processes counts, so an
    // entry added for them (DataLoader workers, a start-method argument) is covered.
    if ((E.Flags & ProcessFlags) || E.StartMethod.present())
      Add(RuleNeeds::ForkOrProcessStart, ForkWord);
    if (E.Flags & (ProcessFlags | StartsThreads | ThreadedLibrary | InitializesCuda))
      Add(RuleNeeds::SummaryEffect, summaryWord(Name));
  });
  // The walk's own CUDA forms (`.cuda()`, `.to("cuda")`, `device="cuda"`) and DataLoader
  // workers forked when the loader is iterated.
  Add(RuleNeeds::SummaryEffect, "cuda");
  Add(RuleNeeds::SummaryEffect, "DataLoader");
  for (unsigned N = 0; N < unsigned(RuleNeeds::AnyRule); ++N)
    for (const std::string &W : std::vector<std::string>(ByNeed[N]))
      Add(RuleNeeds::AnyRule, W);
  for (unsigned N = 0; N < NumNeeds; ++N)
    for (const std::string &W : ByNeed[N]) {
      auto It = std::find(All.begin(), All.end(), W);
      if (It == All.end()) {
        All.push_back(W);
        NeedsOfWord.push_back(0);
        It = All.end() - 1;
      }
      NeedsOfWord[It - All.begin()] |= 1u << N;
    }
  for (size_t I = 0; I < All.size(); ++I) {
    NeedsByWord[All[I]] = NeedsOfWord[I];
    AllNeeds |= NeedsOfWord[I];
    MinLen = std::min<size_t>(MinLen, All[I].size());
    MaxLen = std::max<size_t>(MaxLen, All[I].size());
    if (All[I].size() >= 2)
      Starts.set(startOf(All[I].data()));
    if (All[I] == "fork")
      ForkNeeds = NeedsOfWord[I];
  }
}

// Most identifiers are ruled out by their length or first two bytes, before a hash lookup.
uint32_t TriggerWords::needsOf(llvm::StringRef W) const {
  if (W.size() < MinLen || W.size() > MaxLen || (W.size() >= 2 && !Starts.test(startOf(W.data()))))
    return 0;
  auto It = NeedsByWord.find(W);
  return It == NeedsByWord.end() ? 0 : It->second;
}

uint32_t TriggerWords::scan(llvm::StringRef Source) const {
  uint32_t Met = 0;
  auto Done = [&] { return (Met & AllNeeds) == AllNeeds; };
  scanCodeWith(
      Source,
      [&](llvm::StringRef W) {
        uint32_t Needs = needsOf(W);
        if (!Needs)
          return false;
        Met |= Needs;
        return Done();
      },
      [&](llvm::StringRef S) {
        // A start method is named in a string: get_context("fork").
        if (!ForkNeeds || (Met & ForkNeeds) == ForkNeeds || !containsWord(S, "fork"))
          return false;
        Met |= ForkNeeds;
        return Done();
      });
  return Met;
}

bool scanCode(llvm::StringRef Source, llvm::function_ref<bool(llvm::StringRef)> Word,
              llvm::function_ref<bool(llvm::StringRef)> String) {
  if (String)
    return scanCodeWith(Source, Word, String);
  return scanCodeWith(Source, Word, [](llvm::StringRef) { return false; });
}

bool TriggerWords::presentInCode(llvm::StringRef Source, RuleNeeds Need) const {
  uint32_t Bit = 1u << unsigned(Need);
  auto Word = [&](llvm::StringRef W) { return (needsOf(W) & Bit) != 0; };
  bool CudaWord = Word("cuda");
  return scanCodeWith(Source, Word, [&](llvm::StringRef S) {
    return CudaWord && containsWord(S, "cuda");
  });
}

} // namespace python
} // namespace forksafe
