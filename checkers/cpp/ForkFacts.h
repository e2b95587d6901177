//===--- ForkFacts.h - The analyses of a TU's forks, done once for all checks ---===//
//
// The five checks run in one MatchFinder over the same ASTContext and ask the same questions
// about the same fork (where are its children, what do they run first). ForkFacts answers each
// once per translation unit and shares the answers: the first check that asks creates it, and
// it lives until the last check holding it lets go at the end of the translation unit.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CPP_FORKFACTS_H
#define FORKSAFE_CPP_FORKFACTS_H

#include "ChildRegion.h"
#include "ChildWalk.h"
#include "HeldLocks.h"
#include "TranslationUnitModel.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace clang::tidy::forksafe {

class ForkFacts {
public:
  /// The facts of Ctx's translation unit, shared by every holder.
  static std::shared_ptr<ForkFacts> of(ASTContext &Ctx);

  explicit ForkFacts(ASTContext &Ctx) : Model(Ctx) {}
  TranslationUnitModel &model() { return Model; }

  /// forkSites(), once per fork.
  llvm::ArrayRef<ForkSite> sites(const CallExpr *Fork);
  /// childRegion(), once per site.
  const ChildRegion &child(const ForkSite &Site);
  /// firstUnsafeOperation(), once per site and safety policy (checks may differ in options).
  const std::optional<UnsafeOperation> &firstUnsafe(const ForkSite &Site,
                                                    const SafetyPolicy &Policy);
  /// findHeldLock(), once per fork.
  const std::optional<HeldLock> &heldLock(const CallExpr *Fork);

private:
  using SiteKey = std::pair<const Stmt *, const Expr *>; // the fork call, the site
  static SiteKey keyOf(const ForkSite &Site);

  TranslationUnitModel Model;
  llvm::DenseMap<const CallExpr *, llvm::SmallVector<ForkSite, 2>> Sites;
  std::map<SiteKey, ChildRegion> Children;
  std::map<std::pair<SiteKey, std::string>, std::optional<UnsafeOperation>> Unsafe;
  llvm::DenseMap<const CallExpr *, std::optional<HeldLock>> Locks;
};

} // namespace clang::tidy::forksafe

#endif
