//===--- Suppressions.h - `# forksafe: ignore[...]` and `# noqa: ...` -------===//
#ifndef FORKSAFE_CORE_SUPPRESSIONS_H
#define FORKSAFE_CORE_SUPPRESSIONS_H

#include "Diagnostic.h"
#include "llvm/ADT/StringRef.h"

#include <vector>

namespace forksafe {

/// True when a Python source line carries a comment that suppresses Check:
/// `# forksafe: ignore` / `# noqa` (every check), `# forksafe: ignore[id, ...]`,
/// `# noqa: id, ...` (ids may be clang-tidy style globs such as `forksafe-*`).
bool pythonLineSuppresses(llvm::StringRef Line, llvm::StringRef Check);

/// Drops the diagnostics of Source (a Python file) suppressed on their first line.
void applyPythonSuppressions(llvm::StringRef Source, std::vector<Diagnostic> &Diags);

} // namespace forksafe

#endif
