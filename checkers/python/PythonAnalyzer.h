//===--- PythonAnalyzer.h - Entry point of the Python analyzer --------------===//
#ifndef FORKSAFE_PYTHON_PYTHONANALYZER_H
#define FORKSAFE_PYTHON_PYTHONANALYZER_H

#include "core/CheckGlobs.h"
#include "core/Config.h"
#include "core/Diagnostic.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "python/SyntaxTree.h"

#include <optional>
#include <string>
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
  KeptTree *Kept = nullptr;            ///< language server: the buffer's previous, edited parse
  /// The project around the file (Project::linkFor); null analyses the file alone. Findings
  /// may then be located in other files of the project (a fork in the module that forks).
  ProjectLink *Link = nullptr;
  /// Skip files and rules by their words (Prefilter.h); false (--no-prefilter) runs every
  /// rule on every file, to check that the filter loses nothing.
  bool Prefilter = true;
};

/// Analyses one Python file whose bytes are Source (already decoded to UTF-8).
/// Findings go to Diags (unsuppressed: the driver applies suppression comments and
/// per-file-ignores); problems with the input go to Errors.
void analyze(llvm::StringRef Path, llvm::StringRef Source, const AnalyzeOptions &Opts,
             std::vector<Diagnostic> &Diags, std::vector<InputError> &Errors);

/// What the analysis through Opts.Link consumed of other modules (after analyze()): each
/// module asked for, with the digest of its summary then ("" when there was none). Per-file
/// results may be reused while each still has that digest (currentSummaryDigest).
std::vector<std::pair<std::string, std::string>> consumedSummaries(const AnalyzeOptions &Opts);
/// The digest of module Name's summary now, as the project around Opts.Link sees it.
std::string currentSummaryDigest(const AnalyzeOptions &Opts, llvm::StringRef Module);

/// The pre-filter (Prefilter.h): false when no enabled rule can fire on Source, because it
/// holds none of their words; the file need not be parsed, and forksafe-syntax-error is not
/// reported for it. Never loses a finding of a single-file analysis.
bool mayConcernAnyRule(llvm::StringRef Source, const AnalyzeOptions &Opts);
struct TextRecord;
/// mayConcernAnyRule for the file File known by its record (a Plain one: its text is its
/// bytes); nullopt when the record cannot tell (read with other words than the rules').
std::optional<bool> mayConcernAnyRule(const TextRecord &R, const std::string &File,
                                      const AnalyzeOptions &Opts);

} // namespace python
} // namespace forksafe

#endif
