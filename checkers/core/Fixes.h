//===--- Fixes.h - Applying fixes to files without ever losing one ----------===//
#ifndef FORKSAFE_CORE_FIXES_H
#define FORKSAFE_CORE_FIXES_H

#include "Diagnostic.h"
#include "llvm/ADT/StringRef.h"

#include <functional>
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

/// Whether a run applies D's fix: safe fixes with --fix, unsafe ones too with --unsafe-fixes.
inline bool fixWanted(const Diagnostic &D, bool Unsafe) {
  return D.FixIt && !D.FixIt->Edits.empty() && (D.FixIt->Kind == Applicability::Safe || Unsafe);
}

/// One pass of fixes over one file's Text: the wanted fixes of Diags (all their edits in Text)
/// go in together, earlier diagnostics first on overlap. When Check is given and the result
/// fails it (Python: a fix must not make the file stop parsing), fixes are taken one at a time
/// in order and each that makes the text fail is refused. Applied and Refused get indexes into
/// Diags. Returns the new text (== Text when nothing went in).
std::string applyFixesOnce(llvm::StringRef Text, const std::vector<Diagnostic> &Diags, bool Unsafe,
                           const std::function<bool(llvm::StringRef)> &Check, std::vector<size_t> &Applied,
                           std::vector<size_t> &Refused);

/// A unified diff (`diff -u`, 3 lines of context) from Before to After, both named Path as Ruff
/// names them; "" when they are equal.
std::string unifiedDiff(llvm::StringRef Path, llvm::StringRef Before, llvm::StringRef After);
/// --fix-read-only: also fix files that no one may write (mode without any w bit).
void allowFixingReadOnlyFiles(bool Allow);
/// Call on the main thread before files are written from other threads: the temporaries are
/// removed on a signal by LLVM's handlers, which install an alternate signal stack on the thread
/// that first asks; on a worker thread that stack replaces the sanitizers' own, which they then
/// fail to unmap when the thread ends.
void prepareFixWrites();

} // namespace forksafe

#endif
