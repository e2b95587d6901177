#include "python/Prefilter.h"

#include "python/ApiTable.h"

#include <algorithm>

namespace forksafe {
namespace python {

namespace {

bool isWordChar(char C) {
  return (C >= 'a' && C <= 'z') || (C >= 'A' && C <= 'Z') || (C >= '0' && C <= '9') || C == '_';
}

llvm::StringRef rootOf(llvm::StringRef Name) { return Name.split('.').first; }
llvm::StringRef leafOf(llvm::StringRef Name) { return Name.rsplit('.').second.empty() ? Name : Name.rsplit('.').second; }

constexpr unsigned ProcessFlags = StartsProcesses | FirstUseStarts | Forks | SetsStartMethod | PicklesCallable |
                                  PicklesInitializer;

} // namespace

bool containsWord(llvm::StringRef Source, llvm::StringRef Word) {
  if (Word.empty())
    return false;
  for (size_t At = Source.find(Word); At != llvm::StringRef::npos; At = Source.find(Word, At + 1)) {
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
    Add(RuleNeeds::SummaryEffect, ForkWord);
  });
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
}

bool TriggerWords::present(llvm::StringRef Source, RuleNeeds Need) const {
  for (const std::string &W : ByNeed[unsigned(Need)])
    if (containsWord(Source, W))
      return true;
  return false;
}

uint32_t TriggerWords::scan(llvm::StringRef Source) const {
  uint32_t Met = 0;
  for (size_t I = 0; I < All.size(); ++I)
    if ((NeedsOfWord[I] & ~Met) && containsWord(Source, All[I]))
      Met |= NeedsOfWord[I];
  return Met;
}

} // namespace python
} // namespace forksafe
