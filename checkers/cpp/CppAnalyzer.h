//===--- CppAnalyzer.h - The forksafe clang-tidy checks, run from the driver --===//
//
// Kept free of clang headers so the driver does not pay for them.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CPP_CPPANALYZER_H
#define FORKSAFE_CPP_CPPANALYZER_H

#include "core/Diagnostic.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace forksafe {
namespace cpp {

/// The ids of the checks of the clang-tidy module `forksafe`.
std::vector<std::string> checkNames();
/// The ids of the checks that offer a fix (marked safe): forksafe-exit-in-child.
std::vector<std::string> checksWithFixes();

struct CppOptions {
  std::string Checks;          ///< clang-tidy glob (e.g. "forksafe-*,-forksafe-vfork-child")
  std::string BuildPath;       ///< -p: directory holding compile_commands.json; empty: search upward
  bool ApplyFixes = false;     ///< fixes are returned as Diagnostic::FixIt either way
  /// Whole-program mode (cpp/WholeProgram.h): summaries of every unit of the database first.
  bool WholeProgram = true;
  std::string CacheDir;        ///< for the summaries; empty: defaultSummaryCacheDir
  bool NoCache = false;
};

/// Runs the checks on the given C/C++ files with their compile commands. Files without a
/// compile command, or that do not compile, produce InputErrors; the others are still analysed.
void analyze(const std::vector<std::string> &Files, const CppOptions &Opts,
             std::vector<Diagnostic> &Diags, std::vector<InputError> &Errors);

} // namespace cpp
} // namespace forksafe

#endif
