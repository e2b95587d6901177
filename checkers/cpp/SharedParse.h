//===--- SharedParse.h - One parse for a unit's summary and its checks -----===//
//
// Inside the C/C++ analyzer library only (WholeProgram.cpp and CppAnalyzer.cpp). A forksafe
// run over a compile database parses every unit for its summary; a unit that may fork also
// needs the checks, which need the linked summaries of every unit. Rather than parse such a
// unit twice, the first pass hands its parse to a SharedParses: the unit is parsed once, its
// summary taken, and its AST kept (within a memory budget) until the summaries are linked
// and written; then the checks run on the kept AST. A unit beyond the budget, or one whose
// parse is not offered, is parsed again for its checks as before.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CPP_SHAREDPARSE_H
#define FORKSAFE_CPP_SHAREDPARSE_H

#include "Summary.h"

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace clang {
class ASTContext;
}

namespace forksafe {
namespace cpp {

/// A file the unit's preprocessing read (other than the main file): its absolute path and the
/// digest of the bytes clang parsed.
using IncludedFile = std::pair<std::string, std::string>;

/// What one parse gives the first pass: the unit's summary and the files it read; Included is
/// empty when the unit had errors, a file cannot be named, or no cache wants it.
struct SummaryRun {
  std::optional<clang::tidy::forksafe::UnitSummary> Unit;
  std::optional<std::vector<IncludedFile>> Included;
};

/// The digests of the files a first pass's units read, each file hashed once (by path, size
/// and modification time): units share their headers.
class IncludedDigests {
public:
  /// The digest of Bytes, which clang parsed as Path (of Size bytes, modified at Modified).
  std::string digest(const std::string &Path, uint64_t Size, int64_t Modified,
                     llvm::StringRef Bytes);

private:
  std::mutex M;
  std::map<std::tuple<std::string, uint64_t, int64_t>, std::string> Known;
};

/// Fills Run from a parsed unit (Directory: its command's, for relative paths); the included
/// files only with Digests (a cache will store the summary).
void summarizeParsed(clang::ASTContext &Ctx, const std::string &Directory,
                     IncludedDigests *Digests, SummaryRun &Run);

/// The parses the first pass may share with the checks (CppAnalyzer.cpp implements it).
class SharedParses {
public:
  virtual ~SharedParses() = default;
  /// Parses AbsFile (whose only database command has CommandLine in Directory) for its
  /// summary, into Run, keeping the parse for the checks with SummaryFile. False when this
  /// unit's parse is not shared (the caller parses it itself).
  virtual bool parse(const std::string &AbsFile, const std::string &Directory,
                     const std::vector<std::string> &CommandLine, const std::string &SummaryFile,
                     IncludedDigests *Digests, SummaryRun &Run) = 0;
  /// The summaries are written (Written false: they could not be): every kept parse runs its
  /// checks if NeedsChecks says so, else is dropped.
  virtual void finish(bool Written, const std::function<bool(const std::string &)> &NeedsChecks) = 0;
};

} // namespace cpp
} // namespace forksafe

#endif
