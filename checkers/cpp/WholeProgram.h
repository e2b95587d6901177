//===--- WholeProgram.h - Summaries of every unit of a compile database ----===//
//
// The first pass of the whole-program mode: every translation unit of a compile database
// reduced to its summary (SummaryBuilder), taken from the cache when the file's contents,
// its command, the forksafe version and the contents of every file its preprocessing read
// (headers, system ones too) are unchanged. Used by `forksafe summarize` and by the forksafe
// program before it runs the checks. Free of clang headers, for the driver.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CPP_WHOLEPROGRAM_H
#define FORKSAFE_CPP_WHOLEPROGRAM_H

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace forksafe {
namespace cpp {

class SharedParses; // SharedParse.h, inside the analyzer library

struct SummarizeOptions {
  std::string CacheDir; ///< empty: no cache
};

struct SummarizeResult {
  std::string Json;      ///< the program's summaries (ProgramSummary)
  size_t Units = 0;      ///< translation units in the database
  size_t FromCache = 0;  ///< of which taken from the cache
  size_t Failed = 0;     ///< that could not be parsed (left out of the program)
  /// Absolute paths of the units that may fork (a fork, vfork, a fork wrapper's call, or a
  /// call of a project function no unit defines, compiler builtins aside): only these need the
  /// checks (and those naming an AdditionalForkFunctions entry, which CppAnalyzer adds).
  std::set<std::string> MayFork;
  /// Absolute paths of every unit summarised.
  std::set<std::string> Summarised;
};

/// Summarises every unit of the compile_commands.json in BuildDir. False with Error when the
/// database cannot be loaded.
bool summarizeDatabase(const std::string &BuildDir, const SummarizeOptions &Opts,
                       SummarizeResult &Result, std::string &Error);

/// The first pass of a forksafe run over the database in BuildDir: the summaries linked and
/// handed to the checks of this process under the name of a temporary file (removed with this
/// object), the value of their option SummaryFile.
class WholeProgramRun {
public:
  /// Shared: when given, parses the units it takes once for their summary and their checks
  /// (SharedParse.h).
  WholeProgramRun(const std::string &BuildDir, const SummarizeOptions &Opts,
                  SharedParses *Shared = nullptr);
  ~WholeProgramRun();
  WholeProgramRun(const WholeProgramRun &) = delete;
  WholeProgramRun &operator=(const WholeProgramRun &) = delete;

  /// Empty when the summaries could not be made (the checks then see each unit alone).
  const std::string &summaryFile() const { return File; }
  /// False for a unit of the database that cannot fork (its checks would find nothing).
  bool needsChecks(const std::string &AbsFile) const;
  /// True for a unit of the database that was summarised.
  bool summarised(const std::string &AbsFile) const { return Result.Summarised.count(AbsFile); }

private:
  std::string File;
  SummarizeResult Result;
};

/// The whole-program runs of one `forksafe` run: one per compile database, made when a file
/// of it is first met.
class WholePrograms {
public:
  /// Enabled false: forFile is always null. BuildPath: -p (empty: compile_commands.json found
  /// upward from each file). CacheDir: empty for no cache.
  WholePrograms(bool Enabled, std::string BuildPath, std::string CacheDir,
                SharedParses *Shared = nullptr);
  ~WholePrograms();
  const WholeProgramRun *forFile(const std::string &AbsFile);

private:
  bool Enabled;
  std::string BuildPath;
  std::string CacheDir;
  SharedParses *Shared;
  std::map<std::string, std::unique_ptr<WholeProgramRun>> Runs;
};

/// Writes Json to Path atomically (temporary file and rename).
bool writeSummaryFile(const std::string &Path, const std::string &Json, std::string &Error);

} // namespace cpp
} // namespace forksafe

#endif
