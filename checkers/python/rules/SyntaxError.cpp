//===--- SyntaxError.cpp - forksafe-syntax-error ----------------------------===//
//
// One diagnostic per file, at the first ERROR or MISSING node. The other rules still run:
// tree-sitter recovers, and what parses is analysed.
//
//===----------------------------------------------------------------------===//
#include "python/Rule.h"

namespace forksafe {
namespace python {

void checkSyntaxError(RuleContext &Ctx) {
  llvm::StringRef Source = Ctx.tree().source();
  Node Root = Ctx.tree().root();
  // Python refuses NUL bytes anywhere ("source code cannot contain null bytes");
  // tree-sitter may skip over them, so they are looked for directly.
  size_t Nul = Source.find('\0');
  Node Err = Ctx.tree().firstError();
  if (Nul != llvm::StringRef::npos && (Err.isNull() || Nul < Err.endByte())) {
    Node At = Node(ts_node_descendant_for_byte_range(Root.raw(), Nul, Nul));
    Diagnostic &D = Ctx.report(At, "syntax error: source code cannot contain NUL bytes; the "
                                   "rest of the file was analysed as far as it parses");
    // Point at the byte itself, not at the token around it.
    unsigned Line = 1 + Source.take_front(Nul).count('\n');
    size_t LineStart = Source.take_front(Nul).rfind('\n');
    unsigned Col = Nul - (LineStart == llvm::StringRef::npos ? 0 : LineStart + 1) + 1;
    D.Loc.Line = Line;
    D.Loc.Column = Col;
    D.EndLine = Line;
    D.EndColumn = Col + 1;
    return;
  }
  if (Err.isNull())
    return;
  std::string What;
  if (Err.isMissing())
    What = "expected '" + Err.type().str() + "'";
  else if (Ctx.text(Err).trim().empty())
    What = "unexpected end of file";
  else
    What = "'" + Ctx.quote(Err) + "' does not parse";
  Ctx.report(Err, "syntax error: " + What +
                      "; the rest of the file was analysed as far as it parses");
}

} // namespace python
} // namespace forksafe
