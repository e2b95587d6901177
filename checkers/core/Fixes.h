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
///
/// A symbolic link stays a link: the file it leads to is fixed. Owner, group and mode are kept;
/// a file with hard links, or whose owner forksafe cannot give a new file, is rewritten in place
/// from a temporary copy verified first. Read-only files are refused unless
/// allowFixingReadOnlyFiles(true). A signal never leaves the temporary file behind.
std::string writeFileAtomically(llvm::StringRef File, llvm::StringRef Expected, llvm::StringRef Contents);

/// --fix-read-only: also fix files that no one may write (mode without any w bit).
void allowFixingReadOnlyFiles(bool Allow);

} // namespace forksafe

#endif
