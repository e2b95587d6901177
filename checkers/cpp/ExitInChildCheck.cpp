//===--- ExitInChildCheck.cpp - forksafe-exit-in-child --------------------===//

#include "ExitInChildCheck.h"

#include "clang/AST/Expr.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::forksafe {

void ExitInChildCheck::registerMatchers(MatchFinder *Finder) { addForkMatcher(Finder); }

void ExitInChildCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Fork = Result.Nodes.getNodeAs<CallExpr>("fork");
  ForkFacts &Facts = facts(*Result.Context);
  TranslationUnitModel &M = Facts.model();
  for (const ForkSite &Site : sites(M, Fork)) {
    const ChildRegion &Child = Facts.child(Site);
    // A daemon's parent exits and the child is the program from then on.
    if (Child.ParentEndsProcess)
      continue;
    WalkOptions Options;
    // exit(127) after a failed exec is the classic case.
    Options.ContinueAfterExec = true;
    walkChild(
        M, Child,
        [&](const Stmt *S, llvm::ArrayRef<CallLink> Chain) {
          const auto *Call = dyn_cast<CallExpr>(S);
          bool IsExit = Call && libraryFunctionName(Call->getDirectCallee()) == "exit";
          const FunctionDecl *In = Chain.empty() ? M.enclosingFunction(S) : nullptr;
          bool IsMainReturn = isa<ReturnStmt>(S) && In && In->isMain();
          // Whole-program mode: an exit() reached through a function of another unit
          // (fatal() in util.c).
          std::optional<ChildEffect> Elsewhere;
          if (Call && !IsExit)
            Elsewhere = externalExit(Call);
          if ((!IsExit && !IsMainReturn && !Elsewhere) || !Reported.insert(S).second)
            return false;
          if (Elsewhere) {
            diag(Call->getBeginLoc(),
                 "exit() in a fork child, reached through '%0': it runs the parent's atexit "
                 "handlers and static destructors and flushes its stdio buffers again: use "
                 "_exit")
                << describeFunction(Call->getDirectCallee()) << Call->getSourceRange();
            diag(Site.Site->getBeginLoc(), "child of this fork()", DiagnosticIDs::Note);
            noteChain(Chain, "in the child");
            diag(Call->getBeginLoc(), "'%0', defined in another translation unit, called here",
                 DiagnosticIDs::Note)
                << describeFunction(Call->getDirectCallee());
            noteEffect(*Elsewhere, "exit() called here");
            // The walk goes on: when the summaries say the call never returns, the walk ends
            // this path there (alwaysTerminates), and only this one; a call that exits on
            // some paths only (a conditional fatal) lets the child go on.
            return false;
          }
          if (IsMainReturn) {
            diag(S->getBeginLoc(),
                 "returning from 'main' in a fork child calls exit(), which runs the parent's "
                 "atexit handlers and static destructors and flushes its stdio buffers again: "
                 "call _exit instead");
          } else {
            auto D = diag(Call->getBeginLoc(),
                          "exit() in a fork child runs the parent's atexit handlers and static "
                          "destructors and flushes its stdio buffers again: use _exit")
                     << Call->getSourceRange();
            // Only where the call is the child's own code: a shared helper has other callers.
            SourceRange Callee = Call->getCallee()->IgnoreImpCasts()->getSourceRange();
            if (Chain.empty() && Callee.getBegin().isFileID() && Callee.getEnd().isFileID())
              D << FixItHint::CreateReplacement(Callee, "_exit");
          }
          diag(Site.Site->getBeginLoc(), "child of this fork()", DiagnosticIDs::Note);
          noteChain(Chain, "in the child");
          return false;
        },
        Options);
  }
}

void ExitInChildCheck::onEndOfTranslationUnit() {
  Reported.clear();
  ForkCheckBase::onEndOfTranslationUnit();
}

} // namespace clang::tidy::forksafe
