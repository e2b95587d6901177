//===--- Fixes.h - Applying fixes to files without ever losing one ----------===//
#ifndef FORKSAFE_CORE_FIXES_H
#define FORKSAFE_CORE_FIXES_H

#include "Diagnostic.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace forksafe {

/// Applies the edits to Original, last first. Edits that overlap an edit already taken are
/// skipped (their diagnostic stays reported). Returns the new text; Taken[i] says whether
/// Edits[i] was applied.
std::string applyEdits(llvm::StringRef Original, const std::vector<Edit> &Edits, std::vector<bool> &Taken);

/// Replaces File's contents with Contents atomically: a temporary file in the same directory,
/// flushed, given File's permissions, then renamed over File. If File no longer holds
/// Expected (it changed during the run), nothing is written. Returns "" or an error sentence.
std::string writeFileAtomically(llvm::StringRef File, llvm::StringRef Expected, llvm::StringRef Contents);

} // namespace forksafe

#endif
