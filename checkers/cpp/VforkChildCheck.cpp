//===--- VforkChildCheck.cpp - forksafe-vfork-child -----------------------===//

#include "VforkChildCheck.h"
#include "ApiTables.h"

#include "clang/AST/ExprCXX.h"
#include "clang/Basic/Builtins.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::forksafe {

static const char Advice[] =
    ": the child of vfork() shares the parent's memory and stack until it calls exec* or "
    "_exit; use posix_spawn, or fork";

void VforkChildCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(callExpr(callee(functionDecl(hasName("::vfork"))),
                              unless(isExpansionInSystemHeader()))
                         .bind("vfork"),
                     this);
}

/// True if the variable lives in the child's own statements (declared inside the region).
static bool declaredIn(const VarDecl *VD, const ChildRegion &Child, const SourceManager &SM) {
  for (const ChildSequence &Seq : Child.Sequences)
    for (const Stmt *S : Seq.Stmts) {
      SourceRange R = S->getSourceRange();
      SourceLocation L = VD->getLocation();
      if (!SM.isBeforeInTranslationUnit(L, R.getBegin()) &&
          !SM.isBeforeInTranslationUnit(R.getEnd(), L))
        return true;
    }
  return false;
}

void VforkChildCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Vfork = Result.Nodes.getNodeAs<CallExpr>("vfork");
  // With SummaryFile, a call of another unit that never returns ends the child's path, as in
  // the other checks' walks, whichever checks run beside this one.
  link();
  TranslationUnitModel &M = model(*Result.Context);
  const SourceManager &SM = *Result.SourceManager;
  const FunctionDecl *F = M.enclosingFunction(Vfork);
  if (!F)
    return;

  // return vfork(): the child returns from the frame it shares with the parent.
  const Stmt *Up = M.parentStmt(Vfork);
  while (Up && (isa<ParenExpr>(Up) || isa<ImplicitCastExpr>(Up) || isa<CStyleCastExpr>(Up)))
    Up = M.parentStmt(Up);
  if (Up && isa<ReturnStmt>(Up)) {
    diag(Vfork->getBeginLoc(), "the vfork() child returns from '%0', whose stack frame the "
                               "parent still uses%1")
        << describeFunction(F) << Advice;
    return;
  }

  ForkSite Site;
  Site.Site = Vfork;
  Site.Function = F;
  Site.Frames.push_back({F, Vfork});
  ChildRegion Child = childRegion(M, Site);
  WalkOptions Options;
  Options.FollowCalls = false;
  Options.ContinueAfterExec = true;
  auto Report = [&](const Stmt *At, const std::string &What) {
    diag(At->getBeginLoc(), "vfork() child %0%1") << What << Advice << At->getSourceRange();
    diag(Vfork->getBeginLoc(), "vfork() called here", DiagnosticIDs::Note);
    return false;
  };
  auto StoreTarget = [&](const Expr *Target) -> std::optional<std::string> {
    Target = Target->IgnoreParenImpCasts();
    if (const auto *DRE = dyn_cast<DeclRefExpr>(Target)) {
      const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
      if (VD && (VD == Child.PidVar || declaredIn(VD, Child, SM)))
        return std::nullopt;
      return "modifies '" + spelling(Target, *Result.Context) + "'";
    }
    return "stores through '" + spelling(Target, *Result.Context) + "'";
  };
  walkChild(
      M, Child,
      [&](const Stmt *S, llvm::ArrayRef<CallLink>) {
        if (const auto *Call = dyn_cast<CallExpr>(S)) {
          const FunctionDecl *FD = Call->getDirectCallee();
          if (!FD)
            return Report(S, "makes an indirect call");
          llvm::StringRef Name = libraryFunctionName(FD);
          if (isExecFunction(Name) || isImmediateExitFunction(Name) ||
              llvm::is_contained(safeRuntimeHelpers(), Name))
            return false;
          if (unsigned ID = FD->getBuiltinID())
            if (!Result.Context->BuiltinInfo.isLibFunction(ID) &&
                !Result.Context->BuiltinInfo.isPredefinedLibFunction(ID))
              return false;
          return Report(S, "calls '" + describeFunction(FD) + "'");
        }
        if (const auto *CE = dyn_cast<CXXConstructExpr>(S)) {
          if (CE->getConstructor() && !CE->getConstructor()->isTrivial())
            return Report(S, "constructs a '" +
                                 CE->getConstructor()->getParent()->getQualifiedNameAsString() +
                                 "'");
          return false;
        }
        if (isa<CXXNewExpr>(S) || isa<CXXDeleteExpr>(S) || isa<CXXThrowExpr>(S))
          return Report(S, "allocates, frees or throws");
        if (isa<ReturnStmt>(S))
          return Report(S, "returns from '" + describeFunction(F) +
                               "', whose stack frame the parent still uses");
        if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
          if (BO->isAssignmentOp())
            if (auto What = StoreTarget(BO->getLHS()))
              return Report(S, *What);
          return false;
        }
        if (const auto *UO = dyn_cast<UnaryOperator>(S)) {
          if (UO->isIncrementDecrementOp())
            if (auto What = StoreTarget(UO->getSubExpr()))
              return Report(S, *What);
        }
        return false;
      },
      Options);
}

} // namespace clang::tidy::forksafe
