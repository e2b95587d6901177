//===--- Runner.h - Analysing inputs with both analyzers ---------------------===//
#ifndef FORKSAFE_DRIVER_RUNNER_H
#define FORKSAFE_DRIVER_RUNNER_H

#include "FileWalker.h"
#include "ResultsCache.h"
#include "StatIndex.h"
#include "core/CheckGlobs.h"
#include "core/Config.h"
#include "core/Reporters.h"
#include "python/Project.h"
#include "python/PythonAnalyzer.h"

#include <map>
#include <mutex>
#include <string>

namespace forksafe {
namespace python {
class KeptTree;
}

struct RunOptions {
  std::string Checks;     ///< --checks, applied after the configuration's
  std::string ConfigFile; ///< --config: one file for every input
  std::string BuildPath;  ///< -p
  unsigned Jobs = 0;      ///< 0: one per core
  bool UseFixedFlags = false;               ///< `-- FLAGS` was given (possibly empty)
  std::vector<std::string> FixedFlags;      ///< the FLAGS after `--`
  std::vector<std::string> ExtraArgs;       ///< --extra-arg
  std::vector<std::string> ExtraArgsBefore; ///< --extra-arg-before
  bool Fix = false;         ///< compute fixes (--fix, --diff) and, unless Diff, write them
  bool UnsafeFixes = false; ///< --unsafe-fixes: unsafe fixes are applied too
  bool Diff = false;        ///< --diff: fixes are computed and reported, nothing is written
  std::string CacheDir;   ///< --cache-dir, or the default; empty: no cache (--no-cache)
  bool Prefilter = true;  ///< false: --no-prefilter (hidden; for the test that the filter loses nothing)
  bool WholeProgram = true; ///< false: --no-project (hidden; each Python file alone, for measuring)
  bool DebugCache = false;  ///< --debug-cache (hidden): say on stderr what the stat index answered
};

/// The findings of one Python buffer, after suppressions and per-file-ignores.
struct BufferResult {
  std::vector<Diagnostic> Diags;
  std::vector<InputError> Errors;
  std::string Fixed; ///< with --fix: the text after applying safe fixes ("" when none applied)
  std::string Original; ///< the file's bytes when fixes were applied to it (for --diff)
  unsigned FixesApplied = 0;
  std::vector<Diagnostic> FixedDiags; ///< the findings the fixes removed, as first reported
  /// The analysis found something in another module (reported or not, by that file's
  /// suppressions and configuration): the result depends on more than the project's summaries.
  bool Foreign = false;
};

class Runner {
public:
  explicit Runner(RunOptions Opts);

  /// Analyses the walked files in parallel; with Fix, rewrites files with safe fixes.
  RunResult run(const WalkResult &Files);

  /// Analyses Bytes as the Python file Name (for --stdin-filename and the language server)
  /// inside the project found around Name (nearest pyproject.toml or package root): the
  /// modules it imports are read for their summaries; nothing else is read from or written to
  /// disk except configuration (and, with UseCache, the results cache: findings of a file
  /// analysed before with the same bytes and configuration, and the same summaries of the
  /// modules it consumed).
  /// Kept (the language server): the buffer's previous parse, edited, for an incremental re-parse.
  BufferResult analyzePythonBuffer(const std::string &Name, llvm::StringRef Bytes, bool ComputeFix,
                                   bool UseCache = false, python::KeptTree *Kept = nullptr);

  /// The checks in force for File: all by default, then the configuration's, then --checks.
  CheckGlobs checksFor(const Config &Cfg) const;

private:
  /// What the analysis of one Python file is given: its configuration, the checks it enables,
  /// and the options (with the project link, in whole-program mode). Made in place
  /// (Options points at Enabled).
  struct PythonSetup {
    std::shared_ptr<const Config> Cfg;
    std::shared_ptr<const CheckGlobs> Enabled;
    bool AnyRule = false; ///< some Python rule is enabled
    python::AnalyzeOptions Options;
    std::unique_ptr<python::ProjectLink> Link;
  };
  /// RecordDependencies: the project link records the summaries it hands out (for an entry
  /// of the results cache).
  void setUpPython(const std::string &Name, std::vector<InputError> &Errors, PythonSetup &S,
                   bool RecordDependencies);
  /// One analysis of Bytes, no fixes.
  BufferResult analyzePythonOnce(const std::string &Name, llvm::StringRef Bytes, bool UseCache,
                                 python::KeptTree *Kept = nullptr);
  void analyzePythonFile(const std::string &Path, BufferResult &Out);
  void analyzePythonFileUnguarded(const std::string &Path, BufferResult &Out);
  /// Whole-program runs, first pass: whether the file needs analyzePythonFile.
  bool mayNeedAnalysis(const std::string &Path, std::vector<InputError> &ConfigErrors);
  void runCpp(const std::vector<std::string> &Files, RunResult &Result);
  /// The checks in force and whether a Python rule is among them, per configuration (asked
  /// for every file; each entry keeps its configuration alive, so no other takes its address).
  struct ChecksOf {
    std::shared_ptr<const Config> Cfg;
    std::shared_ptr<const CheckGlobs> Enabled;
    bool AnyRule = false;
  };
  ChecksOf checksOf(const std::shared_ptr<const Config> &Cfg);
  std::mutex ChecksMu;
  std::map<const Config *, ChecksOf> Checks;
  RunOptions Opts;
  ConfigFinder Configs;
  std::unique_ptr<ResultsCache> Results; ///< null without a cache
  /// The Python projects met in this run: their module summaries are computed once.
  python::ProjectSet Projects;
  /// Files whose last result was empty, by stat (run() with a cache, without --fix).
  std::unique_ptr<StatIndex> Index;
};

} // namespace forksafe

#endif
