//===--- Prefilter.h - Which files need parsing, decided from their words ----===//
//
// Every rule declares the words it cannot fire without: a rule finds an API only through
// names the file spells (an import of the module, the function's own name), so a file that
// spells none of the words of a rule gives that rule nothing. The words come from the API
// table (and so from configuration's extensions): the top-level module of each API the rule
// looks for, or for os.fork and its twins the function's name, since "os" is in most files.
// Words match whole: "pty" is not in "empty", "fork" is not in "forkserver".
//
// A file that holds no word of any enabled rule is not parsed, and forksafe-syntax-error is
// reported only for files that pass (spec.md). In whole-program mode a file can also consume
// what other modules do (an imported function that starts processes): those files are
// passed by the project model, not by this filter.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_PYTHON_PREFILTER_H
#define FORKSAFE_PYTHON_PREFILTER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <bitset>
#include <cstring>
#include <cstdint>
#include <string>
#include <vector>

namespace forksafe {
namespace python {

class ApiTable;

/// Calls Word for each word (a run of identifier characters) of Python Source outside
/// comments and string literals, and String (when given) for each string literal, quotes and
/// all; stops and returns true as soon as one of them returns true. Textual: an f-string's
/// expressions count as string.
bool scanCode(llvm::StringRef Source, llvm::function_ref<bool(llvm::StringRef)> Word,
              llvm::function_ref<bool(llvm::StringRef)> String = nullptr);

namespace detail {
struct WordChars {
  bool Is[256] = {};
  constexpr WordChars() {
    for (int C = 0; C < 256; ++C)
      Is[C] = (C >= 'a' && C <= 'z') || (C >= 'A' && C <= 'Z') || (C >= '0' && C <= '9') || C == '_';
  }
};
inline constexpr WordChars WordCharTable{};
inline bool isWordChar(char C) { return WordCharTable.Is[static_cast<unsigned char>(C)]; }
} // namespace detail

/// scanCode with the callbacks inlined (the scans of every file of a run use it).
template <typename WordFn, typename StringFn>
inline bool scanCodeWith(llvm::StringRef Source, WordFn &&Word, StringFn &&String) {
  const char *P = Source.begin(), *End = Source.end();
  while (P < End) {
    char C = *P;
    if (C == '#') {
      const void *Eol = std::memchr(P, '\n', End - P);
      P = Eol ? static_cast<const char *>(Eol) : End;
      continue;
    }
    if (C == '\'' || C == '"') {
      // A string literal (its prefix was read as a word): skipped whole, escapes honoured.
      bool Triple = End - P >= 3 && P[1] == C && P[2] == C;
      const char *Begin = P;
      P += Triple ? 3 : 1;
      while (P < End) {
        if (*P == '\\') {
          P += 2;
          continue;
        }
        if (*P == C && (!Triple || (End - P >= 3 && P[1] == C && P[2] == C))) {
          P += Triple ? 3 : 1;
          break;
        }
        if (*P == '\n' && !Triple)
          break; // an unterminated string ends with its line
        ++P;
      }
      if (P > End)
        P = End;
      if (String(llvm::StringRef(Begin, P - Begin)))
        return true;
      continue;
    }
    if (!detail::isWordChar(C)) {
      ++P;
      continue;
    }
    const char *Start = P;
    while (P < End && detail::isWordChar(*P))
      ++P;
    if (Word(llvm::StringRef(Start, P - Start)))
      return true;
  }
  return false;
}


/// The first occurrence of Needle in Haystack at or after From (npos if none): memchr for its
/// first byte, which the C library does many bytes at a time, then a compare.
inline size_t findText(llvm::StringRef Haystack, llvm::StringRef Needle, size_t From = 0) {
  if (Needle.empty())
    return From <= Haystack.size() ? From : llvm::StringRef::npos;
  const char *End = Haystack.end();
  for (const char *P = Haystack.begin() + std::min(From, Haystack.size());
       End - P >= static_cast<ptrdiff_t>(Needle.size());) {
    const void *Hit = std::memchr(P, Needle.front(), End - P - Needle.size() + 1);
    if (!Hit)
      break;
    P = static_cast<const char *>(Hit);
    if (std::memcmp(P, Needle.data(), Needle.size()) == 0)
      return P - Haystack.begin();
    ++P;
  }
  return llvm::StringRef::npos;
}

/// What a rule looks for, from which its words follow.
enum class RuleNeeds {
  StartMethodApi, ///< an API that takes a start method (hardcoded-fork-context)
  ProcessStart,   ///< an API that starts processes (unguarded-process-start)
  PickledCallable, ///< an API that pickles a callable or initializer (unpicklable-process-target)
  SetStartMethod, ///< set_start_method (start-method-at-import)
  PreexecFn,      ///< an API that runs preexec_fn (preexec-fn)
  ForkOrProcessStart, ///< a fork or a process start (fork-after-thread, cuda-before-fork)
  /// Any of the above, enabled or not: a file that may concern some rule is one whose syntax
  /// errors are reported (forksafe-syntax-error), whichever rules run.
  AnyRule,
  /// What a module's summary can hold in whole-program mode: anything of the above, threads,
  /// threaded libraries, CUDA.
  SummaryEffect,
};

/// The words of each kind of need, for one API table, and a scan of a file for them.
class TriggerWords {
public:
  explicit TriggerWords(const ApiTable &Api);

  /// The words of Need.
  llvm::ArrayRef<std::string> words(RuleNeeds Need) const { return ByNeed[unsigned(Need)]; }

  /// The needs met by Source's code, one bit per RuleNeeds value: words in comments and
  /// string literals do not count (a docstring that mentions multiprocessing starts
  /// nothing, a docstring that says "Thread" starts no thread), except "fork" in a string,
  /// which names a start method (get_context("fork")), and, for a summary, "cuda", which
  /// names a device (`.to("cuda")`, `device="cuda:0"`).
  uint32_t scan(llvm::StringRef Source) const;
  /// scan's answer, remembered for the run by what the text is: a file is scanned once
  /// whether its own pre-filter, its analysis or the summary of a module asks first.
  uint32_t needsIn(llvm::StringRef Source) const;
  static bool meets(uint32_t Scan, RuleNeeds Need) { return Scan & (1u << unsigned(Need)); }

private:
  static constexpr unsigned NumNeeds = unsigned(RuleNeeds::SummaryEffect) + 1;
  std::vector<std::string> ByNeed[NumNeeds];
  std::vector<std::string> All;                 ///< the union, each once
  std::vector<uint32_t> NeedsOfWord;            ///< for each of All, the needs it serves
  llvm::StringMap<uint32_t> NeedsByWord;        ///< the same, by word
  uint32_t AllNeeds = 0;
  size_t MinLen = ~size_t(0), MaxLen = 0;
  /// The first two bytes of each word: most identifiers are ruled out without a lookup.
  std::bitset<1u << 16> Starts;
  uint32_t ForkNeeds = 0; ///< the needs of the word "fork", which counts in strings too
  uint32_t CudaNeeds = 0; ///< the needs of the word "cuda", which counts in strings too
  uint64_t Fingerprint = 0; ///< a hash of the words and their needs
  /// The needs word W serves (0: it is no word of any).
  uint32_t needsOf(llvm::StringRef W) const;
};

/// Whether Word occurs in Source as a whole word (not inside a longer identifier).
bool containsWord(llvm::StringRef Source, llvm::StringRef Word);

} // namespace python
} // namespace forksafe

#endif
