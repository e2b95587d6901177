//===--- PythonAnalyzer.h - Entry point of the Python analyzer --------------===//
#ifndef FORKSAFE_PYTHON_PYTHONANALYZER_H
#define FORKSAFE_PYTHON_PYTHONANALYZER_H

#include "core/CheckGlobs.h"
#include "core/Config.h"
#include "core/Diagnostic.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <vector>

namespace forksafe {
namespace python {

struct RuleInfo {
  const char *Id;
  bool HasFix;
};

/// Every Python rule, in the order of the registration table.
llvm::ArrayRef<RuleInfo> rules();

class ProjectLink;

struct AnalyzeOptions {
  const CheckGlobs *Enabled = nullptr; ///< rules to run (required)
  const Config *Cfg = nullptr;         ///< project configuration (may be null: defaults)
  /// The project around the file (Project::linkFor); null analyses the file alone. Findings
  /// may then be located in other files of the project (a fork in the module that forks).
  ProjectLink *Link = nullptr;
};

/// Analyses one Python file whose bytes are Source (already decoded to UTF-8).
/// Findings go to Diags (unsuppressed: the driver applies suppression comments and
/// per-file-ignores); problems with the input go to Errors.
void analyze(llvm::StringRef Path, llvm::StringRef Source, const AnalyzeOptions &Opts,
             std::vector<Diagnostic> &Diags, std::vector<InputError> &Errors);

/// A digest of every summary of other modules that the analysis through Link consumed
/// (after analyze()): per-file results may be reused while the file, the configuration and
/// this digest are unchanged. "" without a link.
std::string consumedSummaryDigest(const AnalyzeOptions &Opts);

/// Before analysis: a digest of the summaries of every project module Source imports
/// (through Opts.Link; found by a textual scan of its import statements, so no parse of
/// Source). Those summaries include everything they import in turn, so while the file, the
/// configuration and this digest are unchanged, its findings are too: the results cache keys
/// on it. "" without a link.
std::string linkedSummaryDigest(llvm::StringRef Source, const AnalyzeOptions &Opts);

/// Cheap pre-filter: false only when no rule could possibly fire on Source (so the file
/// need not be parsed). Must never lose a finding.
bool mayConcernAnyRule(llvm::StringRef Source);
/// The same, knowing which rules run: with forksafe-syntax-error disabled, a file that names
/// no module of the API table (nor of Opts.Cfg's extra starters) can be skipped.
bool mayConcernAnyRule(llvm::StringRef Source, const AnalyzeOptions &Opts);

} // namespace python
} // namespace forksafe

#endif
