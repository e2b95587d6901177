//===--- ChildRegion.h - Where the child of a fork runs ---===//
#ifndef FORKSAFE_CPP_CHILDREGION_H
#define FORKSAFE_CPP_CHILDREGION_H

#include "TranslationUnitModel.h"

namespace clang {
namespace tidy::forksafe {

/// The code that runs in the child of one fork.
struct ChildRegion {
  /// Straight-line sequences of statements the child runs, in order; each ends at a terminator
  /// (exec*, _exit, return, a noreturn call).
  llvm::SmallVector<llvm::SmallVector<const Stmt *, 8>, 2> Sequences;
  /// The function the child region is in.
  const FunctionDecl *Function = nullptr;
  /// The child returns from Function without exec or exit: it goes on running the program.
  bool ReturnsFromFunction = false;
  /// How the child was found could not be determined (the pid escapes, is never tested).
  bool Unknown = false;
  /// The variable holding the fork's result, if any.
  const VarDecl *PidVar = nullptr;
  /// The parent's branch ends the process (if (fork() != 0) exit(0);): the child goes on as
  /// the program itself, as daemons do, and its later exit is its own.
  bool ParentEndsProcess = false;
};

/// Where a fork's child runs: the fork call itself, or the call of a wrapper that returns the
/// fork's result, at which the child is found. Frames lead from the fork up to the site.
struct ForkSite {
  const Expr *Site = nullptr;
  const FunctionDecl *Function = nullptr;
  /// (function, statement) pairs from the fork call outward to Site (inclusive).
  llvm::SmallVector<std::pair<const FunctionDecl *, const Stmt *>, 2> Frames;
};

/// The places where the child of ForkCall can be found: ForkCall itself, or where the wrappers
/// returning its result are called (an unused wrapper stays the site).
llvm::SmallVector<ForkSite, 2> forkSites(TranslationUnitModel &Model, const CallExpr *ForkCall);

/// The child region of a fork site.
ChildRegion childRegion(TranslationUnitModel &Model, const ForkSite &Site);

} // namespace tidy::forksafe
} // namespace clang

#endif
