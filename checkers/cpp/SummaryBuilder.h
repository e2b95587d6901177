//===--- SummaryBuilder.h - A translation unit's AST reduced to a summary --===//
//
// The transfer function of the whole-program analysis: one pass over each function body
// outside system headers records, in source order, what Summary.h lists. Run by
// `forksafe summarize` and by the first pass of `forksafe` over a compile database.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CPP_SUMMARYBUILDER_H
#define FORKSAFE_CPP_SUMMARYBUILDER_H

#include "Summary.h"

namespace clang {
class ASTContext;
class Decl;
class SourceLocation;
class SourceManager;

namespace tidy::forksafe {

/// The summary of the translation unit of Ctx.
UnitSummary summarizeUnit(ASTContext &Ctx);

/// The USR of a function (its canonical declaration), "" if it has none.
std::string usrOf(const Decl *D);

/// The expansion location of Loc as an absolute path, line and column.
SourcePoint pointOf(SourceLocation Loc, const SourceManager &SM);

} // namespace tidy::forksafe
} // namespace clang

#endif
