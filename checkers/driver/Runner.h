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
namespace python {
class KeptTree;
}

struct RunOptions {
  std::string Checks;     ///< --checks, applied after the configuration's
  std::string ConfigFile; ///< --config: one file for every input
  std::string BuildPath;  ///< -p
  unsigned Jobs = 0;      ///< 0: one per core
  bool Fix = false;
};

/// The findings of one Python buffer, after suppressions and per-file-ignores.
struct BufferResult {
  std::vector<Diagnostic> Diags;
  std::vector<InputError> Errors;
  std::string Fixed; ///< with --fix: the text after applying safe fixes ("" when none applied)
  unsigned FixesApplied = 0;
};

class Runner {
public:
  explicit Runner(RunOptions Opts) : Opts(std::move(Opts)), Configs(this->Opts.ConfigFile) {}

  /// Analyses the walked files in parallel; with Fix, rewrites files with safe fixes.
  RunResult run(const WalkResult &Files);

  /// Analyses Bytes as the Python file Name (for --stdin-filename and the language server):
  /// nothing is read from or written to disk except configuration. Kept (the language server):
  /// the buffer's previous parse, edited, for an incremental re-parse.
  BufferResult analyzePythonBuffer(const std::string &Name, llvm::StringRef Bytes, bool ComputeFix,
                                   python::KeptTree *Kept = nullptr);

  /// The checks in force for File: all by default, then the configuration's, then --checks.
  CheckGlobs checksFor(const Config &Cfg) const;

private:
  void analyzePythonFile(const std::string &Path, BufferResult &Out);
  RunOptions Opts;
  ConfigFinder Configs;
};

} // namespace forksafe

#endif
