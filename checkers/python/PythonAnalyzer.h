//===--- PythonAnalyzer.h - Entry point of the Python analyzer --------------===//
#ifndef FORKSAFE_PYTHON_PYTHONANALYZER_H
#define FORKSAFE_PYTHON_PYTHONANALYZER_H

#include "core/CheckGlobs.h"
#include "core/Config.h"
#include "core/Diagnostic.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "python/SyntaxTree.h"

#include <vector>

namespace forksafe {
namespace python {

struct RuleInfo {
  const char *Id;
  bool HasFix;
};

/// Every Python rule, in the order of the registration table.
llvm::ArrayRef<RuleInfo> rules();

struct AnalyzeOptions {
  const CheckGlobs *Enabled = nullptr; ///< rules to run (required)
  const Config *Cfg = nullptr;         ///< project configuration (may be null: defaults)
  KeptTree *Kept = nullptr;            ///< language server: the buffer's previous, edited parse
};

/// Analyses one Python file whose bytes are Source (already decoded to UTF-8).
/// Findings go to Diags (unsuppressed: the driver applies suppression comments and
/// per-file-ignores); problems with the input go to Errors.
void analyze(llvm::StringRef Path, llvm::StringRef Source, const AnalyzeOptions &Opts,
             std::vector<Diagnostic> &Diags, std::vector<InputError> &Errors);

/// Cheap pre-filter: false only when no rule could possibly fire on Source (so the file
/// need not be parsed). Must never lose a finding.
bool mayConcernAnyRule(llvm::StringRef Source);
/// The same, knowing which rules run: with forksafe-syntax-error disabled, a file that names
/// no module of the API table (nor of Opts.Cfg's extra starters) can be skipped.
bool mayConcernAnyRule(llvm::StringRef Source, const AnalyzeOptions &Opts);

} // namespace python
} // namespace forksafe

#endif
