#include "python/Prefilter.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/xxhash.h"

#include "python/ApiTable.h"

#include <algorithm>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <cstring>
#include <mutex>
#include <string>

namespace forksafe {
namespace python {

namespace {

using detail::isWordChar;

/// The index of a word's first two bytes in TriggerWords::Starts.
inline unsigned startOf(const char *W) {
  return static_cast<unsigned char>(W[0]) << 8 | static_cast<unsigned char>(W[1]);
}

/// A hash of a word's first three bytes, an index into TriggerWords::Prefixes.
inline unsigned prefixOf(const char *W) {
  uint32_t Key = static_cast<unsigned char>(W[0]) | static_cast<unsigned char>(W[1]) << 8 |
                 static_cast<uint32_t>(static_cast<unsigned char>(W[2])) << 16;
  return (Key * 0x9E3779B1u) >> 16;
}

/// A 64-bit hash of Text (the memo of scans is keyed by it).
uint64_t hashOf(llvm::StringRef Text) {
#if FORKSAFE_LLVM_MAJOR >= 17
  return llvm::xxh3_64bits(Text);
#else
  return llvm::xxHash64(Text);
#endif
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
    // As a summary's words: a module that makes a thread pool names `concurrent` too.
    if ((E.Flags & ProcessFlags) || E.StartMethod.present())
      Add(RuleNeeds::ProcessEffect, summaryWord(Name));
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
    if (All[I].size() >= 3)
      Prefixes.set(prefixOf(All[I].data()));
    else
      Short = true;
    if (All[I] == "fork")
      ForkNeeds = NeedsOfWord[I];
    if (All[I] == "cuda")
      CudaNeeds = NeedsOfWord[I];
  }
  // What the words are, for the memo of scans (tables made from other configurations have
  // other words).
  std::string Spelled;
  for (size_t I = 0; I < All.size(); ++I)
    Spelled += All[I] + ":" + std::to_string(NeedsOfWord[I]) + ",";
  Fingerprint = hashOf(Spelled);
}

// Most identifiers are ruled out by their length or first two bytes, before a hash lookup.
uint32_t TriggerWords::needsOf(llvm::StringRef W) const {
  if (W.size() < MinLen || W.size() > MaxLen || (W.size() >= 2 && !Starts.test(startOf(W.data()))))
    return 0;
  auto It = NeedsByWord.find(W);
  return It == NeedsByWord.end() ? 0 : It->second;
}

bool TriggerWords::mayHoldWord(llvm::StringRef Source) const {
  if (Short || All.empty())
    return !All.empty(); // a word too short for the filter: the scan decides
  const char *Begin = Source.begin(), *End = Source.end();
  // A word of the table at a word's start: its first three bytes, then the whole word.
  auto Candidate = [&](const char *P) {
    if (End - P < 3)
      return false;
    if (!Prefixes.test(prefixOf(P)))
      return false;
    const char *E = P + 3;
    while (E < End && isWordChar(*E))
      ++E;
    return needsOf(llvm::StringRef(P, E - P)) != 0;
  };
  const char *P = Begin;
#if defined(__SSE2__)
  // Sixteen bytes at a time: which are word bytes ([A-Za-z0-9_]), and where words start.
  const __m128i Case = _mm_set1_epi8(0x20), Under = _mm_set1_epi8('_');
  const __m128i AlphaBias = _mm_set1_epi8(static_cast<char>(128 - 'a')),
                AlphaLimit = _mm_set1_epi8(static_cast<char>(-128 + 26));
  const __m128i DigitBias = _mm_set1_epi8(static_cast<char>(128 - '0')),
                DigitLimit = _mm_set1_epi8(static_cast<char>(-128 + 10));
  unsigned PrevWord = 0;
  for (; End - P >= 16; P += 16) {
    __m128i V = _mm_loadu_si128(reinterpret_cast<const __m128i *>(P));
    __m128i Alpha = _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(V, Case), AlphaBias), AlphaLimit);
    __m128i Digit = _mm_cmplt_epi8(_mm_add_epi8(V, DigitBias), DigitLimit);
    __m128i Word = _mm_or_si128(_mm_or_si128(Alpha, Digit), _mm_cmpeq_epi8(V, Under));
    unsigned Mask = static_cast<unsigned>(_mm_movemask_epi8(Word));
    unsigned Starts = Mask & ~((Mask << 1) | PrevWord);
    PrevWord = Mask >> 15;
    while (Starts) {
      if (Candidate(P + __builtin_ctz(Starts)))
        return true;
      Starts &= Starts - 1;
    }
  }
  bool InWord = PrevWord;
#else
  bool InWord = false;
#endif
  for (; P < End; ++P) {
    bool W = isWordChar(*P);
    if (W && !InWord && Candidate(P))
      return true;
    InWord = W;
  }
  return false;
}

uint32_t TriggerWords::scan(llvm::StringRef Source) const {
  // Most files hold no word of the table anywhere: found many bytes at a time.
  if (!mayHoldWord(Source))
    return 0;
  return scanCandidate(Source);
}

uint32_t TriggerWords::scanCandidate(llvm::StringRef Source) const {
  uint32_t Met = 0;
  auto Done = [&] { return (Met & AllNeeds) == AllNeeds; };
  const uint32_t Summary = 1u << unsigned(RuleNeeds::SummaryEffect) |
                           1u << unsigned(RuleNeeds::ProcessEffect);
  // In a string, "fork" names a start method (get_context("fork")): every need of the word
  // but a summary's and its process effects', whose words are names a module calls. "cuda"
  // names a device (`.to("cuda")`, `device="cuda:0"`): a summary's need.
  const uint32_t ForkInString = ForkNeeds & ~Summary;
  const uint32_t CudaInString = CudaNeeds & (1u << unsigned(RuleNeeds::SummaryEffect));
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
        if (ForkInString && (Met & ForkInString) != ForkInString && containsWord(S, "fork"))
          Met |= ForkInString;
        if (CudaInString && !(Met & CudaInString) && containsWord(S, "cuda"))
          Met |= CudaInString;
        return Done();
      });
  return Met;
}

namespace {
/// The needs of each text scanned so far, by what the text is (its length, its hash and the
/// words): the same file is scanned by the pre-filter of its own analysis, as a module
/// whose summary may be needed, and again by its analysis.
struct ScanMemo {
  std::mutex Mu;
  llvm::DenseMap<std::pair<uint64_t, uint64_t>, uint32_t> Needs;
};
ScanMemo &scanMemo() {
  static ScanMemo Memo;
  return Memo;
}
} // namespace

uint32_t TriggerWords::needsIn(llvm::StringRef Source) const {
  // Short texts cost less to scan than to look up; most texts hold no word of the table, which
  // mayHoldWord tells in less time than hashing them would take.
  if (!mayHoldWord(Source))
    return 0;
  if (Source.size() < 4096)
    return scanCandidate(Source);
  uint64_t Hash = hashOf(Source);
  std::pair<uint64_t, uint64_t> Key(Hash ^ Fingerprint, Source.size());
  ScanMemo &Memo = scanMemo();
  {
    std::lock_guard<std::mutex> Lock(Memo.Mu);
    auto It = Memo.Needs.find(Key);
    if (It != Memo.Needs.end())
      return It->second;
  }
  uint32_t Met = scanCandidate(Source);
  std::lock_guard<std::mutex> Lock(Memo.Mu);
  // An editor session scans every version of a document: the memo is bounded.
  if (Memo.Needs.size() >= (1u << 18))
    Memo.Needs.clear();
  Memo.Needs[Key] = Met;
  return Met;
}

bool scanCode(llvm::StringRef Source, llvm::function_ref<bool(llvm::StringRef)> Word,
              llvm::function_ref<bool(llvm::StringRef)> String) {
  if (String)
    return scanCodeWith(Source, Word, String);
  return scanCodeWith(Source, Word, [](llvm::StringRef) { return false; });
}

} // namespace python
} // namespace forksafe
