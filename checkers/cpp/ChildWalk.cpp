//===--- ChildWalk.cpp - The operations a fork child runs ------------------===//

#include <cstdint>
#include "ChildWalk.h"
#include "ApiTables.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "clang/Basic/Builtins.h"
#include "clang/Basic/SourceManager.h"

#include <algorithm>

namespace clang::tidy::forksafe {

//===----------------------------------------------------------------------===//
// Walking the child
//===----------------------------------------------------------------------===//

namespace {
bool isLoop(const Stmt *S) {
  return isa<ForStmt>(S) || isa<WhileStmt>(S) || isa<DoStmt>(S) || isa<CXXForRangeStmt>(S);
}

/// True if S holds a break that leaves it (not one of a nested loop or switch) or any goto.
bool leavesByBreak(const Stmt *S, bool Nested) {
  if (!S)
    return false;
  if (isa<GotoStmt>(S) || isa<IndirectGotoStmt>(S))
    return true;
  if (isa<BreakStmt>(S))
    return !Nested;
  if (isa<LambdaExpr>(S) || isa<BlockExpr>(S))
    return false;
  bool Inner = Nested || isLoop(S) || isa<SwitchStmt>(S);
  for (const Stmt *C : S->children())
    if (leavesByBreak(C, Inner))
      return true;
  return false;
}

/// for (;;), while (1), do ... while (1) with no break out of them: what follows never runs.
bool loopsForever(const Stmt *S, const ASTContext &Ctx) {
  const Expr *Cond = nullptr;
  const Stmt *Body = nullptr;
  if (const auto *F = dyn_cast<ForStmt>(S)) {
    Cond = F->getCond();
    Body = F->getBody();
  } else if (const auto *W = dyn_cast<WhileStmt>(S)) {
    Cond = W->getCond();
    Body = W->getBody();
  } else if (const auto *D = dyn_cast<DoStmt>(S)) {
    Cond = D->getCond();
    Body = D->getBody();
  } else {
    return false;
  }
  bool True = false;
  if (Cond && (Cond->isValueDependent() || !Cond->EvaluateAsBooleanCondition(True, Ctx) || !True))
    return false;
  return !leavesByBreak(Body, false);
}

bool containsReturn(const Stmt *Body) {
  bool Found = false;
  forEachOwnStmt(Body, [&](const Stmt *S) { Found |= isa<ReturnStmt>(S); });
  return Found;
}

/// True if control never continues after S: exec* (when ExecEnds), _exit, a noreturn call, a
/// call of a function of the TU that never returns, a loop that never ends, return, break...
bool alwaysTerminates(TranslationUnitModel &M, const Stmt *S, bool ExecEnds) {
  if (!S)
    return false;
  if (isa<ReturnStmt>(S) || isa<BreakStmt>(S) || isa<ContinueStmt>(S) || isa<GotoStmt>(S) ||
      isa<CXXThrowExpr>(S))
    return true;
  if (const auto *CS = dyn_cast<CompoundStmt>(S))
    return llvm::any_of(CS->body(),
                        [&](const Stmt *C) { return alwaysTerminates(M, C, ExecEnds); });
  if (const auto *If = dyn_cast<IfStmt>(S))
    return alwaysTerminates(M, If->getThen(), ExecEnds) &&
           alwaysTerminates(M, If->getElse(), ExecEnds);
  if (isLoop(S))
    return loopsForever(S, M.context());
  if (const auto *E = dyn_cast<Expr>(S)) {
    if (const auto *CE = dyn_cast<CallExpr>(E->IgnoreParenCasts()->IgnoreImplicit())) {
      if (const FunctionDecl *FD = CE->getDirectCallee()) {
        if (FD->isNoReturn())
          return true;
        llvm::StringRef Name = libraryFunctionName(FD);
        if ((ExecEnds && isExecFunction(Name)) || isImmediateExitFunction(Name))
          return true;
        if (isFollowable(FD, M.context()))
          return neverReturns(M, FD, ExecEnds);
        // A function of another unit (fatal() in util.c), per the summaries.
        return M.ExternalNeverReturns && M.ExternalNeverReturns(FD);
      }
      llvm::ArrayRef<const FunctionDecl *> Targets = M.indirectTargets(CE);
      return !Targets.empty() && llvm::all_of(Targets, [&](const FunctionDecl *T) {
        return isFollowable(T, M.context()) && neverReturns(M, T, ExecEnds);
      });
    }
  }
  return false;
}
} // namespace

bool neverReturns(TranslationUnitModel &M, const FunctionDecl *FD, bool ExecEnds) {
  const FunctionDecl *Def = nullptr;
  if (!FD || !FD->hasBody(Def) || !Def)
    return false;
  auto &Memo = M.NeverReturnsMemo[ExecEnds];
  auto It = Memo.find(Def);
  if (It != Memo.end())
    return It->second;
  Memo[Def] = false; // recursion: assume it returns
  bool Result = !containsReturn(Def->getBody()) && alwaysTerminates(M, Def->getBody(), ExecEnds);
  Memo[Def] = Result;
  return Result;
}

namespace {
class ChildWalker {
public:
  ChildWalker(TranslationUnitModel &M, ChildVisitor Visit, WalkOptions Options)
      : M(M), Visit(Visit), Options(Options) {}

  /// A sequence of the region: statements in order until one ends the walk; a break of the
  /// tested switch goes on after the switch.
  void walkRegionSequence(const ChildSequence &Seq) {
    Function = Seq.Function;
    BrokeOut = false;
    for (unsigned I = 0; I < Seq.Stmts.size(); ++I) {
      if (I == Seq.AfterBreak)
        BrokeOut = false;
      const Stmt *S = Seq.Stmts[I];
      walk(S);
      if (Stopped)
        return;
      if (alwaysTerminates(M, S, !Options.ContinueAfterExec)) {
        if (!(BrokeOut && I < Seq.AfterBreak))
          return;
        I = Seq.AfterBreak - 1;
      }
    }
    if (Seq.EndsFunction)
      noteReturnFrom(Seq.Function);
  }

  void walkSequence(llvm::ArrayRef<const Stmt *> Seq) {
    for (const Stmt *S : Seq) {
      walk(S);
      if (Stopped || alwaysTerminates(M, S, !Options.ContinueAfterExec))
        return;
    }
  }

  void walk(const Stmt *S) {
    if (!S || Stopped)
      return;
    if (Visit(S, Chain)) {
      Stopped = true;
      return;
    }
    if (Chain.empty()) {
      // The region's own statements: a return leaves its function; a break outside any
      // loop or switch of the region leaves the tested switch.
      if (isa<ReturnStmt>(S))
        noteReturnFrom(Function);
      if (isa<BreakStmt>(S) && LoopDepth == 0)
        BrokeOut = true;
    }
    if (const auto *LE = dyn_cast<LambdaExpr>(S)) {
      // The body runs when the lambda is called, not here.
      for (const Expr *Init : LE->capture_inits())
        walk(Init);
      return;
    }
    if (isa<BlockExpr>(S) || isa<UnaryExprOrTypeTraitExpr>(S) || isa<CXXTypeidExpr>(S))
      return;
    if (const auto *CS = dyn_cast<CompoundStmt>(S)) {
      llvm::SmallVector<const Stmt *, 16> Body(CS->body_begin(), CS->body_end());
      walkSequence(Body);
      return;
    }
    bool Nests = Chain.empty() && (isLoop(S) || isa<SwitchStmt>(S));
    LoopDepth += Nests;
    for (const Stmt *Child : S->children())
      walk(Child);
    LoopDepth -= Nests;
    if (Stopped || !Options.FollowCalls)
      return;
    if (const FunctionDecl *Callee = calleeOf(S)) {
      if (isFollowable(Callee, M.context()))
        enter(cast<Expr>(S), Callee);
    } else if (const auto *CE = dyn_cast<CallExpr>(S)) {
      // Through a function pointer whose values the TU shows.
      for (const FunctionDecl *Target : M.indirectTargets(CE))
        if (isFollowable(Target, M.context()))
          enter(CE, Target);
    }
  }

  WalkEnd End;

private:
  void noteReturnFrom(const FunctionDecl *F) {
    if (F && !llvm::is_contained(End.ReturnsFrom, F))
      End.ReturnsFrom.push_back(F);
  }

  void enter(const Expr *Call, const FunctionDecl *Callee) {
    const FunctionDecl *Def = nullptr;
    Callee->hasBody(Def);
    if (!Def || Chain.size() >= MaxCallDepth || !Entered.insert(Def).second)
      return;
    const FunctionDecl *Caller = Chain.empty() ? nullptr : Chain.back().Callee;
    Chain.push_back({Call, Caller, Def});
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Def))
      for (const CXXCtorInitializer *Init : Ctor->inits())
        walk(Init->getInit());
    walk(Def->getBody());
    Chain.pop_back();
  }

  TranslationUnitModel &M;
  ChildVisitor Visit;
  WalkOptions Options;
  CallChain Chain;
  llvm::DenseSet<const FunctionDecl *> Entered;
  bool Stopped = false;
  const FunctionDecl *Function = nullptr; ///< of the region sequence being walked
  unsigned LoopDepth = 0;                 ///< loops and switches entered in the region
  bool BrokeOut = false;                  ///< a break of the tested switch was reached
};
} // namespace

WalkEnd walkChild(TranslationUnitModel &Model, const ChildRegion &Region, ChildVisitor Visit,
                  WalkOptions Options) {
  ChildWalker W(Model, Visit, Options);
  for (const ChildSequence &Seq : Region.Sequences)
    W.walkRegionSequence(Seq);
  return std::move(W.End);
}

SafetyPolicy::SafetyPolicy(bool StrictExec, llvm::StringRef AdditionalSafeFunctions)
    : StrictExec(StrictExec) {
  for (llvm::StringRef Name : splitList(AdditionalSafeFunctions))
    Additional.insert(Name);
}

bool SafetyPolicy::isSafe(llvm::StringRef Name) const {
  auto Contains = [&](llvm::ArrayRef<llvm::StringRef> Sorted) {
    return std::binary_search(Sorted.begin(), Sorted.end(), Name);
  };
  return Contains(asyncSignalSafeFunctions()) || Contains(safeRuntimeHelpers()) ||
         (!StrictExec && Contains(pathSearchingExecFunctions())) || Additional.count(Name);
}

std::string SafetyPolicy::key() const {
  llvm::SmallVector<llvm::StringRef, 8> Names(Additional.keys().begin(), Additional.keys().end());
  llvm::sort(Names);
  std::string Key = StrictExec ? "strict" : "path";
  for (llvm::StringRef N : Names)
    (Key += ';') += N.str();
  if (External)
    Key += ";external@" + std::to_string(reinterpret_cast<uintptr_t>(ExternalOwner));
  return Key;
}

std::optional<UnsafeOperation> firstUnsafeOperation(TranslationUnitModel &Model,
                                                    const ChildRegion &Region,
                                                    const SafetyPolicy &Policy) {
  ASTContext &Ctx = Model.context();
  std::optional<UnsafeOperation> Found;
  auto Report = [&](const Stmt *Op, std::string Description, llvm::ArrayRef<CallLink> Chain) {
    Found = UnsafeOperation{Op, std::move(Description), CallChain(Chain.begin(), Chain.end()), {}};
    return true;
  };
  auto Followed = [&](const FunctionDecl *F) {
    return llvm::is_contained(Region.FollowedReturns, F);
  };
  auto Returns = [&](const FunctionDecl *F) {
    if (F->isMain())
      return std::string("returns from 'main', which runs atexit handlers and flushes stdio,");
    return "returns from '" + describeFunction(F) + "' into the rest of the program";
  };
  WalkEnd End = walkChild(Model, Region, [&](const Stmt *S, llvm::ArrayRef<CallLink> Chain) {
    if (const auto *CE = dyn_cast<CallExpr>(S)) {
      const FunctionDecl *FD = CE->getDirectCallee();
      if (!FD) {
        if (isa<CXXPseudoDestructorExpr>(CE->getCallee()->IgnoreParens()))
          return false;
        if (!Model.indirectTargets(CE).empty())
          return false; // its targets are walked
        return Report(S, "makes an indirect call", Chain);
      }
      llvm::StringRef Name = libraryFunctionName(FD);
      if (!Name.empty() && Policy.isSafe(Name))
        return false;
      if (isFollowable(FD, Ctx))
        return false;
      if (FD->isInStdNamespace() &&
          llvm::is_contained(compileTimeLibraryFunctions(), FD->getQualifiedNameAsString()))
        return false;
      if (unsigned ID = FD->getBuiltinID())
        if (!Ctx.BuiltinInfo.isLibFunction(ID) && !Ctx.BuiltinInfo.isPredefinedLibFunction(ID))
          return false;
      const FunctionDecl *Def = FD->getDefinition();
      if (!Ctx.getSourceManager().isInSystemHeader((Def ? Def : FD)->getLocation()) &&
          Policy.External)
        if (std::optional<std::string> Verdict = Policy.External(FD))
          return Verdict->empty() ? false : Report(S, *Verdict, Chain);
      if (!Ctx.getSourceManager().isInSystemHeader((Def ? Def : FD)->getLocation()))
        return Report(S, "calls '" + describeFunction(FD) +
                             "', which is defined outside this translation unit and not known "
                             "to be async-signal-safe,", Chain);
      return Report(S, "calls '" + describeFunction(FD) + "', which is not async-signal-safe,",
                    Chain);
    }
    if (const auto *CE = dyn_cast<CXXConstructExpr>(S)) {
      const CXXConstructorDecl *Ctor = CE->getConstructor();
      if (!Ctor || Ctor->isTrivial() || isFollowable(Ctor, Ctx))
        return false;
      return Report(S, "constructs a '" + Ctor->getParent()->getQualifiedNameAsString() +
                           "', which is not async-signal-safe,", Chain);
    }
    if (isa<CXXNewExpr>(S))
      return Report(S, "allocates with 'new'", Chain);
    if (isa<CXXDeleteExpr>(S))
      return Report(S, "deallocates with 'delete'", Chain);
    if (isa<CXXThrowExpr>(S))
      return Report(S, "throws an exception", Chain);
    // A return in the child's own code leaves the forking function: the child goes on running
    // its caller (or, from main, exit with its atexit handlers).
    // Unless the callers it returns into are followed as the child's own code.
    if (isa<ReturnStmt>(S) && Chain.empty()) {
      const FunctionDecl *F = Model.enclosingFunction(S);
      if (F && !Followed(F))
        return Report(S, Returns(F), Chain);
    }
    return false;
  });
  if (Found) {
    // An operation in a caller the child returned into: the return is part of the story.
    const Stmt *Top = Found->Chain.empty() ? Found->Op : Found->Chain.front().Call;
    for (const ChildSequence &Seq : Region.Sequences)
      if (Seq.ReturnedThrough.Call && Top &&
          llvm::any_of(Seq.Stmts, [&](const Stmt *S) { return Model.isDescendant(Top, S); })) {
        Found->ReturnedThrough = Seq.ReturnedThrough;
        break;
      }
    return Found;
  }
  if (Region.Unknown)
    return UnsafeOperation{nullptr, "cannot be followed (the result of fork() is not tested "
                                    "for 0 where this check can see it)", {}, {}};
  for (const FunctionDecl *F : End.ReturnsFrom)
    if (!Followed(F))
      return UnsafeOperation{nullptr, Returns(F), {}, {}};
  return std::nullopt;
}

} // namespace clang::tidy::forksafe
