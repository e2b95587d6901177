//===--- OutOfMemory.h - Running out of memory fails one file, not the run ---===//
#ifndef FORKSAFE_DRIVER_OUTOFMEMORY_H
#define FORKSAFE_DRIVER_OUTOFMEMORY_H

namespace forksafe {

/// Makes allocation failures throw std::bad_alloc wherever they can be made to: LLVM's
/// bad-alloc handler (which otherwise prints "LLVM ERROR: out of memory" and aborts) and
/// tree-sitter's allocator (which otherwise aborts). The driver catches the exception per
/// file, reports that file, and still writes the report of the others.
void installOutOfMemoryHandlers();

} // namespace forksafe

#endif
