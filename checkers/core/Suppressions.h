//===--- Suppressions.h - `# forksafe: ignore[...]` and `# noqa: ...` -------===//
#ifndef FORKSAFE_CORE_SUPPRESSIONS_H
#define FORKSAFE_CORE_SUPPRESSIONS_H

#include "Diagnostic.h"
#include "llvm/ADT/StringRef.h"

#include <functional>
#include <string>
#include <vector>

namespace forksafe {

/// The id of the check that reports suppression comments that suppress nothing (Ruff's RUF100).
inline constexpr const char UnusedSuppressionCheck[] = "forksafe-unused-suppression";

/// True when a Python source line carries a comment that suppresses Check:
/// `# forksafe: ignore` / `# noqa` (every check), `# forksafe: ignore[id, ...]`,
/// `# noqa: id, ...` (ids may be clang-tidy style globs such as `forksafe-*`).
bool pythonLineSuppresses(llvm::StringRef Line, llvm::StringRef Check);

/// One suppression comment of a Python file.
struct SuppressionDirective {
  enum KindType { ForksafeIgnore, Noqa } Kind;
  unsigned Line = 0;
  unsigned Offset = 0, End = 0; ///< bytes of the directive: from its '#' to the end of its codes
  bool Blanket = false;         ///< no codes: every check
  struct Code {
    std::string Text;
    unsigned Offset = 0; ///< of the code in the file
    bool Ours = false;   ///< a forksafe code (every code of `forksafe: ignore`, `forksafe-*` in noqa)
    bool Used = false;
  };
  std::vector<Code> Codes;
  bool BlanketUsed = false;
};

/// The suppression comments of Source: only real comments (not text inside string literals).
std::vector<SuppressionDirective> findPythonSuppressions(llvm::StringRef Source);

struct SuppressionOptions {
  /// Report unknown forksafe check names in the comments as input errors.
  bool ValidateNames = true;
  /// Add forksafe-unused-suppression findings for comments (or codes) that suppressed nothing.
  bool ReportUnused = false;
  /// Whether a check runs on this file (enabled and not per-file ignored): a code naming only
  /// checks that do not run is "non-enabled" rather than "unused".
  std::function<bool(llvm::StringRef)> Runs;
};

/// Drops the diagnostics of Path (a Python file with text Source) that a comment on their
/// first or last line suppresses; with Opts, also reports unknown names (Errors) and unused
/// suppressions (Diags, each with a safe fix removing what is unused).
void applyPythonSuppressions(llvm::StringRef Path, llvm::StringRef Source, std::vector<Diagnostic> &Diags,
                             std::vector<InputError> &Errors, const SuppressionOptions &Opts);

/// The same, without validation or unused reports.
void applyPythonSuppressions(llvm::StringRef Source, std::vector<Diagnostic> &Diags);

} // namespace forksafe

#endif
