//===--- StringCompat.cpp - The fast search of a whole file's text --------===//

#include "core/StringCompat.h"

#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace forksafe {

size_t findText(llvm::StringRef Haystack, llvm::StringRef Needle, size_t From) {
  if (From > Haystack.size())
    return llvm::StringRef::npos;
  if (Needle.empty())
    return From;
  const char *H = Haystack.data() + From;
  size_t N = Haystack.size() - From, M = Needle.size();
  if (M > N)
    return llvm::StringRef::npos;
  size_t I = 0;
#if defined(__SSE2__)
  if (M >= 2) {
    // Where both Needle's first byte (at I + bit) and its last (at I + bit + M - 1) are.
    const __m128i First = _mm_set1_epi8(Needle.front()), Last = _mm_set1_epi8(Needle.back());
    for (; I + (M - 1) + 16 <= N; I += 16) {
      __m128i A = _mm_loadu_si128(reinterpret_cast<const __m128i *>(H + I));
      __m128i B = _mm_loadu_si128(reinterpret_cast<const __m128i *>(H + I + M - 1));
      unsigned Mask = static_cast<unsigned>(
          _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(A, First), _mm_cmpeq_epi8(B, Last))));
      while (Mask) {
        unsigned Bit = static_cast<unsigned>(__builtin_ctz(Mask));
        if (std::memcmp(H + I + Bit + 1, Needle.data() + 1, M - 2) == 0)
          return From + I + Bit;
        Mask &= Mask - 1;
      }
    }
  }
#endif
  // The rest (fewer than 16 places), or a one-byte needle.
  const void *Hit = ::memmem(H + I, N - I, Needle.data(), M);
  return Hit ? static_cast<size_t>(static_cast<const char *>(Hit) - Haystack.data())
             : llvm::StringRef::npos;
}

} // namespace forksafe
