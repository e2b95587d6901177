//===--- CppAnalyzer.h - The forksafe clang-tidy checks, run from the driver --===//
//
// Kept free of clang headers so the driver does not pay for them.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CPP_CPPANALYZER_H
#define FORKSAFE_CPP_CPPANALYZER_H

#include "core/Diagnostic.h"
#include "llvm/ADT/StringRef.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace forksafe {
namespace cpp {

/// The ids of the checks of the clang-tidy module `forksafe`.
std::vector<std::string> checkNames();
/// The ids of the checks that offer a fix (marked safe): forksafe-exit-in-child.
std::vector<std::string> checksWithFixes();

/// The selection and check options of one file.
struct CppFileSettings {
  std::string Checks; ///< clang-tidy glob applied after "-*" (e.g. "forksafe-*,-forksafe-vfork-child")
  /// CheckOptions ("forksafe-fork-after-thread.AssumeMultithreaded" -> "true"); they take
  /// precedence over a .clang-tidy's.
  std::map<std::string, std::string> CheckOptions;
};

struct CppOptions {
  std::string Checks = "forksafe-*"; ///< used when SettingsFor is not set
  std::map<std::string, std::string> CheckOptions; ///< used when SettingsFor is not set
  /// Per-file selection and options (the driver's configuration); overrides the two above.
  std::function<CppFileSettings(const std::string &File)> SettingsFor;

  /// -p: directory holding compile_commands.json or compile_flags.txt; empty: search upward
  /// from each file.
  std::string BuildPath;
  /// `-- FLAGS`: these flags for every file, no database search.
  bool UseFixedFlags = false;
  std::vector<std::string> FixedFlags;
  std::vector<std::string> ExtraArgs;       ///< --extra-arg: appended to every command
  std::vector<std::string> ExtraArgsBefore; ///< --extra-arg-before: inserted after the compiler

  /// Unsaved buffers (path -> contents), seen by the compiler instead of the disk's files: the
  /// language server analyses an edited buffer (or a header it includes) without saving it.
  /// Paths may be relative to the working directory.
  std::map<std::string, std::string> Overlay;

  unsigned Jobs = 1; ///< translation units analysed in parallel; 0: one per core

  /// Files whose text cannot concern a check (no fork-like name in it) are skipped before
  /// parsing unless this says they are needed anyway (whole-program summaries set it).
  std::function<bool(const std::string &File)> NeededBySummaries;

  /// Whole-program mode (cpp/WholeProgram.h): every unit of a file's compile_commands.json is
  /// summarised first (SummaryCacheDir caches them; empty: no cache), the checks read the
  /// summaries through their option SummaryFile, and a unit of the database runs the checks
  /// only when its summary says it may fork.
  bool WholeProgram = false;
  std::string SummaryCacheDir;
  /// Whole-program mode: what the first pass may keep of the units it parses (their ASTs,
  /// sources and preprocessor tables, in bytes) until the summaries are linked, so that a unit
  /// that may fork is parsed once for its summary and its checks; beyond it, a unit is parsed
  /// again for its checks.
  size_t SharedParseBudget = size_t(256) << 20;
};

/// What a run did besides its findings, for the driver's messages.
struct CppRunInfo {
  unsigned Analyzed = 0; ///< files parsed
  unsigned Skipped = 0;  ///< files whose text cannot concern a check
  /// Of the files analysed, those whose checks ran on the whole-program first pass's parse.
  unsigned SharedParses = 0;
  /// Files analysed with default flags (no database, compile_flags.txt or `-- FLAGS` for them).
  std::vector<std::string> DefaultFlags;
  /// Files analysed with default flags that did not compile: not input errors (a tree without a
  /// database is expected to lack include paths), said once each on stderr.
  std::vector<InputError> Warnings;
};

/// True when Text may concern a check: it names fork, vfork, _Fork or one of ExtraForkFunctions
/// (qualified names are matched by their last component).
bool mayConcernAnyCheck(llvm::StringRef Text, const std::vector<std::string> &ExtraForkFunctions);

/// Runs the checks on the given C/C++ files. Files without a compile command get one inferred
/// from the nearest database entry (as clangd does), else compile_flags.txt's, else default
/// flags. A file that does not compile still reports what its AST allows, and one InputError
/// names its first compile error. Diags come in the order of Files (deterministic under Jobs).
void analyze(const std::vector<std::string> &Files, const CppOptions &Opts,
             std::vector<Diagnostic> &Diags, std::vector<InputError> &Errors,
             CppRunInfo *Info = nullptr);

} // namespace cpp
} // namespace forksafe

#endif
