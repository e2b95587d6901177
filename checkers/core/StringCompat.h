//===--- StringCompat.h - String tests for LLVM 14 and 19, and a fast search ---===//
//
// StringRef::starts_with/ends_with are spelled startswith/endswith in LLVM 14, and the old
// spellings are deprecated in 19: these work with both. findText searches a whole file's text.
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

/// The first occurrence of Needle in Haystack at or after From (npos if none). Sixteen
/// places at a time are tested for Needle's first and last bytes together, and only where
/// both match are the bytes between compared (StringCompat.cpp): a first byte that is common
/// in code ('i' of "import") makes memchr stop at every other word, and the C library's
/// memmem, which hashes pairs of bytes, takes about 2.5 instructions a byte for "import" over
/// site-packages; StringRef::find, byte by byte, takes 2.5 times memmem's time.
size_t findText(llvm::StringRef Haystack, llvm::StringRef Needle, size_t From = 0);

/// Whether Needle occurs in Haystack (findText).
inline bool containsText(llvm::StringRef Haystack, llvm::StringRef Needle) {
  return findText(Haystack, Needle) != llvm::StringRef::npos;
}

} // namespace forksafe

#endif
