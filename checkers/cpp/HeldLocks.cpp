//===--- HeldLocks.cpp - Locks the forking function holds at the fork ------===//

#include "HeldLocks.h"
#include "ApiTables.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"

namespace clang::tidy::forksafe {

//===----------------------------------------------------------------------===//
// Locks held at the fork
//===----------------------------------------------------------------------===//

static const Expr *mutexOperand(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    if (UO->getOpcode() == UO_AddrOf)
      return UO->getSubExpr()->IgnoreParenImpCasts();
  return E;
}

static bool hasMethod(const CXXRecordDecl *RD, llvm::StringRef Name) {
  if (!RD || !RD->hasDefinition())
    return false;
  for (const CXXMethodDecl *MD : RD->methods())
    if (MD->getIdentifier() && MD->getName() == Name)
      return true;
  return false;
}

std::optional<HeldLock> findHeldLock(TranslationUnitModel &Model, const CallExpr *ForkCall) {
  const FunctionDecl *F = Model.enclosingFunction(ForkCall);
  if (!F || !F->getBody())
    return std::nullopt;
  const ASTContext &Ctx = Model.context();

  // The releases in F, by mutex spelling (and the guard variables' unlock calls).
  struct Release {
    std::string Key;
    llvm::StringRef Function;
    const Stmt *Call;
  };
  llvm::SmallVector<Release, 8> Releases;
  forEachOwnStmt(F->getBody(), [&](const Stmt *S) {
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S)) {
      const CXXMethodDecl *MD = MC->getMethodDecl();
      if (MD && MD->getIdentifier() && llvm::is_contained(mutexUnlockMethods(), MD->getName()))
        Releases.push_back({spelling(MC->getImplicitObjectArgument()->IgnoreParenImpCasts(), Ctx),
                            MD->getName(), S});
      return;
    }
    if (const auto *CE = dyn_cast<CallExpr>(S)) {
      llvm::StringRef Name = libraryFunctionName(CE->getDirectCallee());
      for (const LockFunctionPair &P : lockFunctions())
        if (Name == P.Release && CE->getNumArgs() >= 1) {
          Releases.push_back({spelling(mutexOperand(CE->getArg(0)), Ctx), P.Release, S});
          break;
        }
    }
  });
  auto KillsFor = [&](llvm::StringRef Key, llvm::StringRef Function) {
    llvm::SmallVector<const Stmt *, 4> Kills;
    for (const Release &R : Releases)
      if (R.Key == Key && (Function.empty() || R.Function == Function))
        Kills.push_back(R.Call);
    return Kills;
  };

  std::optional<HeldLock> Held;
  forEachOwnStmt(F->getBody(), [&](const Stmt *S) {
    if (Held)
      return;
    // pthread_mutex_lock(&m) ... fork() with no unlock in between on some path.
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S)) {
      const CXXMethodDecl *MD = MC->getMethodDecl();
      if (!MD || !MD->getIdentifier() || !llvm::is_contained(mutexLockMethods(), MD->getName()))
        return;
      const CXXRecordDecl *RD = MD->getParent();
      llvm::StringRef Unlock = MD->getName() == "lock" ? "unlock" : "unlock_shared";
      if (!hasMethod(RD, Unlock))
        return;
      std::string Key = spelling(MC->getImplicitObjectArgument()->IgnoreParenImpCasts(), Ctx);
      if (Model.reaches(F, S, ForkCall, KillsFor(Key, Unlock)))
        Held = HeldLock{S, Key, "", ""};
      return;
    }
    if (const auto *CE = dyn_cast<CallExpr>(S)) {
      llvm::StringRef Name = libraryFunctionName(CE->getDirectCallee());
      for (const LockFunctionPair &P : lockFunctions()) {
        if (Name != P.Acquire || CE->getNumArgs() < 1)
          continue;
        std::string Key = spelling(mutexOperand(CE->getArg(0)), Ctx);
        if (Model.reaches(F, S, ForkCall, KillsFor(Key, P.Release)))
          Held = HeldLock{S, Key, "", ""};
        return;
      }
      return;
    }
    // std::lock_guard<std::mutex> g(m); ... fork() inside g's scope.
    const auto *DS = dyn_cast<DeclStmt>(S);
    if (!DS)
      return;
    for (const Decl *D : DS->decls()) {
      const auto *VD = dyn_cast<VarDecl>(D);
      if (!VD || !VD->getInit())
        continue;
      const CXXRecordDecl *RD = VD->getType()->getAsCXXRecordDecl();
      if (!RD || !llvm::is_contained(lockGuardClasses(), RD->getQualifiedNameAsString()))
        continue;
      const auto *Construct =
          dyn_cast<CXXConstructExpr>(VD->getInit()->IgnoreImplicit()->IgnoreParenImpCasts());
      if (!Construct || Construct->getNumArgs() == 0)
        continue;
      bool Deferred = llvm::any_of(Construct->arguments(), [](const Expr *A) {
        const CXXRecordDecl *T = A->getType()->getAsCXXRecordDecl();
        return T && T->getName() == "defer_lock_t";
      });
      if (Deferred)
        continue;
      const Stmt *Scope = Model.parentStmt(DS);
      if (!Scope || !Model.isDescendant(ForkCall, Scope))
        continue;
      if (!Model.reaches(F, Construct, ForkCall, KillsFor(VD->getName().str(), "unlock")))
        continue;
      Held = HeldLock{DS, spelling(mutexOperand(Construct->getArg(0)), Ctx),
                      VD->getName().str(), RD->getQualifiedNameAsString()};
      return;
    }
  });
  return Held;
}

} // namespace clang::tidy::forksafe
