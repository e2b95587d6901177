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

/// A file that fixes changed (or would change, with --diff).
struct FixedFile {
  std::string File;
  std::string Before, After;
  std::vector<Diagnostic> Fixed; ///< the findings the fixes removed
};

/// What a run found, ready to report.
struct RunResult {
  std::vector<Diagnostic> Diags;   ///< sorted
  std::vector<InputError> Errors;
  unsigned FilesAnalyzed = 0;
  unsigned FixesApplied = 0;
  std::vector<FixedFile> FixedFiles; ///< with --fix or --diff
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

/// What reports need beyond the findings.
struct ReportOptions {
  std::string Version;
  /// Where the check pages are (--docs-url, `docs-url`, else the build's default): a base URL
  /// the page names are appended to, or a template with `{id}`. "" for none: no links then.
  std::string DocsUrl;
};

/// Writes the findings in Format. Text goes to OS (findings) only: the summary line and the
/// errors are the caller's to print on stderr.
void writeReport(llvm::raw_ostream &OS, OutputFormat Format, const RunResult &Result,
                 llvm::ArrayRef<CheckDescription> Checks, const ReportOptions &Opts);

/// The docs page of check Id under DocsUrl: DocsUrl with `{id}` replaced, else
/// DocsUrl/<id>.md. "" when DocsUrl is "".
std::string checkDocsUrl(llvm::StringRef DocsUrl, llvm::StringRef Id);
/// The folder of the pages (SARIF's informationUri): DocsUrl up to its last '/' before `{id}`.
std::string docsHome(llvm::StringRef DocsUrl);
/// A page's Markdown with its relative links (to other check pages) made absolute under
/// DocsUrl, or turned into plain text when there is no DocsUrl.
std::string absoluteDocsLinks(llvm::StringRef Markdown, llvm::StringRef DocsUrl);
/// The check's name for people, PascalCase without the prefix: forksafe-preexec-fn -> PreexecFn.
std::string checkDisplayName(llvm::StringRef Id);
/// Columns as editors and GitHub count them: UTF-16 code units before byte column Col of
/// LineText, plus one (Col is 1-based, in bytes).
unsigned utf16ColumnOf(llvm::StringRef LineText, unsigned Col);

/// `path:line:col: warning: message [id]` and its notes: the text format of one diagnostic.
void writeTextDiagnostic(llvm::raw_ostream &OS, const Diagnostic &D);

} // namespace forksafe

#endif
