//===--- Reporters.h - text, JSON, SARIF and GitHub output -------------------===//
#ifndef FORKSAFE_CORE_REPORTERS_H
#define FORKSAFE_CORE_REPORTERS_H

#include "Diagnostic.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace forksafe {

enum class OutputFormat { Text, Json, Sarif, Github };
std::optional<OutputFormat> parseOutputFormat(llvm::StringRef Name);

/// What a run found, ready to report.
struct RunResult {
  std::vector<Diagnostic> Diags;   ///< sorted
  std::vector<InputError> Errors;
  unsigned FilesAnalyzed = 0;
  unsigned FixesApplied = 0;
  /// Sources that are not (or not as analysed) on disk, e.g. --stdin-filename input.
  std::map<std::string, std::string> InMemorySources;
  /// Lines said once each on stderr, not reported: how the run went (e.g. C/C++ files analysed with
  /// default flags); they do not change the exit code.
  std::vector<std::string> Notices;
};

/// A check as the reports describe it (SARIF rule metadata).
struct CheckDescription {
  std::string Id;
  std::string Summary;      ///< one paragraph, plain text
  std::string HelpMarkdown; ///< the docs page
};

/// Writes the findings in Format. Text goes to OS (findings) only: the summary line and the
/// errors are the caller's to print on stderr.
void writeReport(llvm::raw_ostream &OS, OutputFormat Format, const RunResult &Result,
                 llvm::ArrayRef<CheckDescription> Checks, llvm::StringRef Version);

/// `path:line:col: warning: message [id]` and its notes: the text format of one diagnostic.
void writeTextDiagnostic(llvm::raw_ostream &OS, const Diagnostic &D);

} // namespace forksafe

#endif
