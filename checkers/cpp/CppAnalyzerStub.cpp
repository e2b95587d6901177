// PLACEHOLDER until the clang-tidy module lands.
#include "cpp/CppAnalyzer.h"
namespace forksafe {
namespace cpp {
std::vector<std::string> checkNames() { return {}; }
void analyze(const std::vector<std::string> &Files, const CppOptions &, std::vector<Diagnostic> &,
             std::vector<InputError> &Errors) {
  for (const auto &F : Files)
    Errors.push_back({F, "C/C++ analysis is not built in yet"});
}
} // namespace cpp
} // namespace forksafe
