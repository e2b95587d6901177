//===--- CheckNames.cpp - The C/C++ checks' ids, without clang ---------------===//
//
// Linked into the program as well as the C/C++ library: --list-checks and check selection need
// the names without loading clang (CppEntry.h).
//
//===----------------------------------------------------------------------===//
#include "cpp/CppAnalyzer.h"

namespace forksafe {
namespace cpp {

std::vector<std::string> checkNames() {
  return {"forksafe-cuda-before-fork", "forksafe-exit-in-child", "forksafe-fork-after-thread",
          "forksafe-fork-with-lock-held", "forksafe-vfork-child"};
}

std::vector<std::string> checksWithFixes() { return {"forksafe-exit-in-child"}; }

} // namespace cpp
} // namespace forksafe
