//===--- ChildWalk.cpp - The operations a fork child runs ------------------===//

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

/// True if control never continues after S: exec*, _exit, a noreturn call, return, break...
static bool alwaysTerminates(const Stmt *S, bool ExecTerminates) {
  if (!S)
    return false;
  if (isa<ReturnStmt>(S) || isa<BreakStmt>(S) || isa<ContinueStmt>(S) || isa<GotoStmt>(S) ||
      isa<CXXThrowExpr>(S))
    return true;
  if (const auto *CS = dyn_cast<CompoundStmt>(S))
    return llvm::any_of(CS->body(),
                        [&](const Stmt *C) { return alwaysTerminates(C, ExecTerminates); });
  if (const auto *If = dyn_cast<IfStmt>(S))
    return alwaysTerminates(If->getThen(), ExecTerminates) &&
           alwaysTerminates(If->getElse(), ExecTerminates);
  if (const auto *E = dyn_cast<Expr>(S)) {
    if (const auto *CE = dyn_cast<CallExpr>(E->IgnoreParenCasts()->IgnoreImplicit())) {
      if (const FunctionDecl *FD = CE->getDirectCallee()) {
        if (FD->isNoReturn())
          return true;
        llvm::StringRef Name = libraryFunctionName(FD);
        return (ExecTerminates && isExecFunction(Name)) || isImmediateExitFunction(Name);
      }
    }
  }
  return false;
}

namespace {
class ChildWalker {
public:
  ChildWalker(TranslationUnitModel &M, ChildVisitor Visit, WalkOptions Options)
      : M(M), Visit(Visit), Options(Options) {}

  void walkSequence(llvm::ArrayRef<const Stmt *> Seq) {
    for (const Stmt *S : Seq) {
      walk(S);
      if (Stopped || alwaysTerminates(S, !Options.ContinueAfterExec))
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
    for (const Stmt *Child : S->children())
      walk(Child);
    if (Stopped)
      return;
    const FunctionDecl *Callee = calleeOf(S);
    if (Options.FollowCalls && Callee && isFollowable(Callee, M.context()))
      enter(cast<Expr>(S), Callee);
  }

private:
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
};
} // namespace

void walkChild(TranslationUnitModel &Model, const ChildRegion &Region, ChildVisitor Visit,
               WalkOptions Options) {
  ChildWalker W(Model, Visit, Options);
  for (const auto &Seq : Region.Sequences)
    W.walkSequence(Seq);
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
  return Key;
}

std::optional<UnsafeOperation> firstUnsafeOperation(TranslationUnitModel &Model,
                                                    const ChildRegion &Region,
                                                    const SafetyPolicy &Policy) {
  ASTContext &Ctx = Model.context();
  std::optional<UnsafeOperation> Found;
  auto Report = [&](const Stmt *Op, std::string Description, llvm::ArrayRef<CallLink> Chain) {
    Found = UnsafeOperation{Op, std::move(Description), CallChain(Chain.begin(), Chain.end())};
    return true;
  };
  walkChild(Model, Region, [&](const Stmt *S, llvm::ArrayRef<CallLink> Chain) {
    if (const auto *CE = dyn_cast<CallExpr>(S)) {
      const FunctionDecl *FD = CE->getDirectCallee();
      if (!FD) {
        if (isa<CXXPseudoDestructorExpr>(CE->getCallee()->IgnoreParens()))
          return false;
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
    if (isa<ReturnStmt>(S) && Chain.empty() && Region.Function) {
      if (Region.Function->isMain())
        return Report(S, "returns from 'main', which runs atexit handlers and flushes stdio,",
                      Chain);
      return Report(S, "returns from '" + describeFunction(Region.Function) +
                           "' into the rest of the program", Chain);
    }
    return false;
  });
  if (Found)
    return Found;
  if (Region.Unknown)
    return UnsafeOperation{nullptr, "cannot be followed (the result of fork() is not tested "
                                    "for 0 where this check can see it)", {}};
  if (Region.ReturnsFromFunction) {
    if (Region.Function && Region.Function->isMain())
      return UnsafeOperation{nullptr, "returns from 'main', which runs atexit handlers and "
                                      "flushes stdio,", {}};
    return UnsafeOperation{nullptr, "returns from '" + describeFunction(Region.Function) +
                                        "' into the rest of the program", {}};
  }
  return std::nullopt;
}

} // namespace clang::tidy::forksafe
