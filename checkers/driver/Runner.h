//===--- Runner.h - Analysing inputs with both analyzers ---------------------===//
#ifndef FORKSAFE_DRIVER_RUNNER_H
#define FORKSAFE_DRIVER_RUNNER_H

#include "FileWalker.h"
#include "core/CheckGlobs.h"
#include "core/Config.h"
#include "core/Reporters.h"

#include <map>
#include <mutex>
#include <string>

namespace forksafe {

struct RunOptions {
  std::string Checks;     ///< --checks, applied after the configuration's
  std::string ConfigFile; ///< --config: one file for every input
  std::string BuildPath;  ///< -p
  unsigned Jobs = 0;      ///< 0: one per core
  bool Fix = false;         ///< compute fixes (--fix, --diff) and, unless Diff, write them
  bool UnsafeFixes = false; ///< --unsafe-fixes: unsafe fixes are applied too
  bool Diff = false;        ///< --diff: fixes are computed and reported, nothing is written
};

/// The findings of one Python buffer, after suppressions and per-file-ignores.
struct BufferResult {
  std::vector<Diagnostic> Diags;
  std::vector<InputError> Errors;
  std::string Fixed; ///< with --fix: the text after applying safe fixes ("" when none applied)
  std::string Original; ///< the file's bytes when fixes were applied to it (for --diff)
  unsigned FixesApplied = 0;
  std::vector<Diagnostic> FixedDiags; ///< the findings the fixes removed, as first reported
};

class Runner {
public:
  explicit Runner(RunOptions Opts) : Opts(std::move(Opts)), Configs(this->Opts.ConfigFile) {}

  /// Analyses the walked files in parallel; with Fix, rewrites files with safe fixes.
  RunResult run(const WalkResult &Files);

  /// Analyses Bytes as the Python file Name (for --stdin-filename and the language server):
  /// nothing is read from or written to disk except configuration.
  BufferResult analyzePythonBuffer(const std::string &Name, llvm::StringRef Bytes, bool ComputeFix);

  /// The checks in force for File: all by default, then the configuration's, then --checks.
  CheckGlobs checksFor(const Config &Cfg) const;

private:
  /// One analysis of Bytes, no fixes.
  BufferResult analyzePythonOnce(const std::string &Name, llvm::StringRef Bytes);
  void analyzePythonFile(const std::string &Path, BufferResult &Out);
  RunOptions Opts;
  ConfigFinder Configs;
};

} // namespace forksafe

#endif
