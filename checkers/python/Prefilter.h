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

#include "core/StringCompat.h"

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
/// What a byte can begin, for the scan: nothing, a word, a comment or a string literal.
enum ByteClass : unsigned char { OtherByte, WordByte, CommentByte, QuoteByte };
struct ByteClasses {
  unsigned char Of[256] = {};
  constexpr ByteClasses() {
    for (int C = 0; C < 256; ++C)
      Of[C] = (C >= 'a' && C <= 'z') || (C >= 'A' && C <= 'Z') || (C >= '0' && C <= '9') || C == '_'
                  ? WordByte
                  : C == '#' ? CommentByte : (C == '\'' || C == '"') ? QuoteByte : OtherByte;
  }
};
inline constexpr ByteClasses ByteClassTable{};
inline unsigned char classOf(char C) { return ByteClassTable.Of[static_cast<unsigned char>(C)]; }
inline bool isWordChar(char C) { return classOf(C) == WordByte; }

/// The end of the string literal whose body starts at P (after its opening quotes, Quote the
/// quote character): past its closing quotes, the end of its line for an unterminated
/// single-quoted one, End for an unterminated triple-quoted one. Escapes honoured.
inline const char *stringEnd(const char *P, const char *End, char Quote, bool Triple) {
  if (!Triple) {
    while (P < End) {
      char C = *P;
      if (C == '\\') {
        P += 2;
        continue;
      }
      if (C == Quote)
        return P + 1;
      if (C == '\n')
        return P; // an unterminated string ends with its line
      ++P;
    }
    return End;
  }
  // A docstring is most of the bytes of many files: its quotes are found with memchr, which
  // reads many bytes at a time; an odd run of backslashes before one escapes it.
  const char *From = P;
  while (P < End) {
    const void *Hit = std::memchr(P, Quote, End - P);
    if (!Hit)
      return End;
    const char *Q = static_cast<const char *>(Hit);
    const char *Run = Q;
    while (Run > From && Run[-1] == '\\')
      --Run;
    if ((Q - Run) % 2 == 0 && End - Q >= 3 && Q[1] == Quote && Q[2] == Quote)
      return Q + 3;
    P = Q + 1;
  }
  return End;
}
} // namespace detail

/// scanCode with the callbacks inlined (the scans of every file of a run use it).
template <typename WordFn, typename StringFn>
inline bool scanCodeWith(llvm::StringRef Source, WordFn &&Word, StringFn &&String) {
  const char *P = Source.begin(), *End = Source.end();
  while (P < End) {
    switch (detail::classOf(*P)) {
    case detail::OtherByte:
      ++P;
      break;
    case detail::WordByte: {
      const char *Start = P;
      do
        ++P;
      while (P < End && detail::isWordChar(*P));
      if (Word(llvm::StringRef(Start, P - Start)))
        return true;
      break;
    }
    case detail::CommentByte: {
      const void *Eol = std::memchr(P, '\n', End - P);
      P = Eol ? static_cast<const char *>(Eol) : End;
      break;
    }
    default: {
      // A string literal (its prefix was read as a word): skipped whole.
      char Quote = *P;
      bool Triple = End - P >= 3 && P[1] == Quote && P[2] == Quote;
      const char *Begin = P;
      P = detail::stringEnd(P + (Triple ? 3 : 1), End, Quote, Triple);
      if (P > End)
        P = End;
      if (String(llvm::StringRef(Begin, P - Begin)))
        return true;
      break;
    }
    }
  }
  return false;
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
  /// What makes a summary touch processes (FunctionSummary::touchesProcesses): a fork, a
  /// process start, a hand-off to a process API, a start method, by the words of a summary
  /// (ProcessPoolExecutor, not concurrent); not preexec_fn, which no summary holds.
  ProcessEffect,
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
  /// A hash of the words and their needs: tables with the same fingerprint give the same needs.
  uint64_t fingerprint() const { return Fingerprint; }
  uint32_t needsIn(llvm::StringRef Source) const;
  static bool meets(uint32_t Scan, RuleNeeds Need) { return Scan & (1u << unsigned(Need)); }

private:
  static constexpr unsigned NumNeeds = unsigned(RuleNeeds::ProcessEffect) + 1;
  std::vector<std::string> ByNeed[NumNeeds];
  std::vector<std::string> All;                 ///< the union, each once
  std::vector<uint32_t> NeedsOfWord;            ///< for each of All, the needs it serves
  llvm::StringMap<uint32_t> NeedsByWord;        ///< the same, by word
  uint32_t AllNeeds = 0;
  size_t MinLen = ~size_t(0), MaxLen = 0;
  /// The first two bytes of each word: most identifiers are ruled out without a lookup.
  std::bitset<1u << 16> Starts;
  /// The hashes of the first three bytes of each word (prefixOf), for mayHoldWord.
  std::bitset<1u << 16> Prefixes;
  bool Short = false; ///< a word of fewer than three bytes
  /// Whether some word of the table occurs in Source as a whole word, anywhere (code,
  /// comment or string): a text without one meets no need, and is not scanned.
  bool mayHoldWord(llvm::StringRef Source) const;
  /// scan of a text mayHoldWord let through.
  uint32_t scanCandidate(llvm::StringRef Source) const;
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
