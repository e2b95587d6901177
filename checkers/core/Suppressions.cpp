#include "Suppressions.h"

#include "CheckGlobs.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>

namespace forksafe {

/// Whether the comma/space separated code list (as after `noqa:`) names Check.
static bool listNames(llvm::StringRef List, llvm::StringRef Check) {
  llvm::SmallVector<llvm::StringRef, 4> Codes;
  List.split(Codes, ',');
  for (llvm::StringRef Code : Codes) {
    // Ruff also allows space-separated codes: take every word.
    llvm::SmallVector<llvm::StringRef, 2> Words;
    Code.split(Words, ' ', -1, false);
    for (llvm::StringRef W : Words)
      if (CheckGlobs(W.trim()).contains(Check))
        return true;
  }
  return false;
}

bool pythonLineSuppresses(llvm::StringRef Line, llvm::StringRef Check) {
  size_t Hash = Line.find('#');
  while (Hash != llvm::StringRef::npos) {
    llvm::StringRef Comment = Line.drop_front(Hash + 1).ltrim();
    if (Comment.consume_front("forksafe:")) {
      Comment = Comment.ltrim();
      if (Comment.consume_front("ignore")) {
        Comment = Comment.ltrim();
        if (!Comment.consume_front("["))
          return true; // bare: every check
        return listNames(Comment.split(']').first, Check);
      }
    } else if (Comment.size() >= 4 && Comment.take_front(4).equals_insensitive("noqa")) {
      Comment = Comment.drop_front(4);
      if (!Comment.consume_front(":"))
        return true; // bare `# noqa`
      // The codes run up to the next comment marker.
      return listNames(Comment.split('#').first, Check);
    }
    Hash = Line.find('#', Hash + 1);
  }
  return false;
}

void applyPythonSuppressions(llvm::StringRef Source, std::vector<Diagnostic> &Diags) {
  if (Diags.empty() || (!Source.contains("noqa") && !Source.contains("NOQA") &&
                        !Source.contains("forksafe:")))
    return;
  // Start offsets of every line, computed once.
  std::vector<size_t> LineStart{0};
  for (size_t I = 0; I < Source.size(); ++I)
    if (Source[I] == '\n')
      LineStart.push_back(I + 1);
  auto LineText = [&](unsigned Line) -> llvm::StringRef {
    if (Line == 0 || Line > LineStart.size())
      return {};
    size_t Begin = LineStart[Line - 1];
    size_t End = Line < LineStart.size() ? LineStart[Line] : Source.size();
    return Source.slice(Begin, End).rtrim("\r\n");
  };
  Diags.erase(std::remove_if(Diags.begin(), Diags.end(),
                             [&](const Diagnostic &D) {
                               return pythonLineSuppresses(LineText(D.Loc.Line), D.Check) ||
                                      (D.EndLine > D.Loc.Line &&
                                       pythonLineSuppresses(LineText(D.EndLine), D.Check));
                             }),
              Diags.end());
}

} // namespace forksafe
