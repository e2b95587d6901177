//===--- ForkFacts.cpp - The analyses of a TU's forks, done once for all checks -===//

#include "ForkFacts.h"

#include <mutex>

namespace clang::tidy::forksafe {

std::shared_ptr<ForkFacts> ForkFacts::of(ASTContext &Ctx) {
  // The forksafe program may analyse translation units on several threads at once; each has
  // its own ASTContext. An entry whose holders have all let go is stale, even if a later
  // ASTContext reuses its address.
  static std::mutex Lock;
  static llvm::DenseMap<const ASTContext *, std::weak_ptr<ForkFacts>> Live;
  std::lock_guard<std::mutex> Guard(Lock);
  auto Found = Live.find(&Ctx);
  if (Found != Live.end())
    if (std::shared_ptr<ForkFacts> Existing = Found->second.lock())
      return Existing;
  for (auto It = Live.begin(), End = Live.end(); It != End; ++It)
    if (It->second.expired())
      Live.erase(It); // DenseMap::erase leaves the other iterators valid
  auto Fresh = std::make_shared<ForkFacts>(Ctx);
  Live[&Ctx] = Fresh;
  return Fresh;
}

ForkFacts::SiteKey ForkFacts::keyOf(const ForkSite &Site) {
  return {Site.Frames.empty() ? nullptr : Site.Frames.front().second, Site.Site};
}

llvm::ArrayRef<ForkSite> ForkFacts::sites(const CallExpr *Fork) {
  auto It = Sites.find(Fork);
  if (It == Sites.end())
    It = Sites.try_emplace(Fork, forkSites(Model, Fork)).first;
  return It->second;
}

const ChildRegion &ForkFacts::child(const ForkSite &Site) {
  SiteKey Key = keyOf(Site);
  auto It = Children.find(Key);
  if (It == Children.end())
    It = Children.emplace(Key, childRegion(Model, Site)).first;
  return It->second;
}

const std::optional<UnsafeOperation> &ForkFacts::firstUnsafe(const ForkSite &Site,
                                                             const SafetyPolicy &Policy) {
  auto Key = std::make_pair(keyOf(Site), Policy.key());
  auto It = Unsafe.find(Key);
  if (It == Unsafe.end())
    It = Unsafe.emplace(Key, firstUnsafeOperation(Model, child(Site), Policy)).first;
  return It->second;
}

const std::optional<HeldLock> &ForkFacts::heldLock(const CallExpr *Fork) {
  auto It = Locks.find(Fork);
  if (It == Locks.end())
    It = Locks.try_emplace(Fork, findHeldLock(Model, Fork)).first;
  return It->second;
}

} // namespace clang::tidy::forksafe
