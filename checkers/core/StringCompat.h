//===--- StringCompat.h - StringRef prefix and suffix tests for LLVM 14 and 19 ---===//
//
// StringRef::starts_with/ends_with are spelled startswith/endswith in LLVM 14, and the old
// spellings are deprecated in 19: these work with both.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CORE_STRINGCOMPAT_H
#define FORKSAFE_CORE_STRINGCOMPAT_H

#include "llvm/ADT/StringRef.h"

namespace forksafe {

inline bool startsWith(llvm::StringRef S, llvm::StringRef Prefix) {
  return S.size() >= Prefix.size() && S.take_front(Prefix.size()) == Prefix;
}

inline bool endsWith(llvm::StringRef S, llvm::StringRef Suffix) {
  return S.size() >= Suffix.size() && S.take_back(Suffix.size()) == Suffix;
}

} // namespace forksafe

#endif
