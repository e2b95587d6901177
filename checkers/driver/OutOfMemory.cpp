#include "OutOfMemory.h"

#include "llvm/Support/ErrorHandling.h"

#include <cstdlib>
#include <new>
#include <tree_sitter/api.h>

namespace forksafe {

// tree-sitter is C, built with unwind tables (Debian's default on x86-64), so an exception
// passes through its frames; the parser it interrupted is abandoned (SyntaxTree.cpp).
static void *tsMalloc(size_t N) {
  void *P = std::malloc(N);
  if (!P && N)
    throw std::bad_alloc();
  return P;
}

static void *tsCalloc(size_t N, size_t Size) {
  void *P = std::calloc(N, Size);
  if (!P && N && Size)
    throw std::bad_alloc();
  return P;
}

static void *tsRealloc(void *Old, size_t N) {
  void *P = std::realloc(Old, N);
  if (!P && N)
    throw std::bad_alloc();
  return P;
}

void installOutOfMemoryHandlers() {
  llvm::install_bad_alloc_error_handler(
      [](void *, const char *, bool) { throw std::bad_alloc(); }, nullptr);
  ts_set_allocator(tsMalloc, tsCalloc, tsRealloc, std::free);
}

} // namespace forksafe
