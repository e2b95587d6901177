//===--- HeldLocks.h - Locks held at a fork ---===//
#ifndef FORKSAFE_CPP_HELDLOCKS_H
#define FORKSAFE_CPP_HELDLOCKS_H

#include "TranslationUnitModel.h"

#include <optional>

namespace clang {
namespace tidy::forksafe {

/// A lock the forking function holds at the fork.
struct HeldLock {
  const Stmt *Acquired = nullptr;  ///< the lock call or the guard's declaration
  std::string Mutex;               ///< spelling of the mutex ("m", "&state->mu")
  std::string Guard;               ///< the guard variable, if RAII
  std::string GuardType;           ///< "std::lock_guard"
};
std::optional<HeldLock> findHeldLock(TranslationUnitModel &Model, const CallExpr *ForkCall);

} // namespace tidy::forksafe
} // namespace clang

#endif
