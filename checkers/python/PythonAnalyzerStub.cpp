// PLACEHOLDER until the Python front end lands: delete when PythonAnalyzer.cpp exists.
#include "python/PythonAnalyzer.h"
namespace forksafe {
namespace python {
llvm::ArrayRef<RuleInfo> rules() { return {}; }
void analyze(llvm::StringRef, llvm::StringRef, const AnalyzeOptions &, std::vector<Diagnostic> &,
             std::vector<InputError> &) {}
bool mayConcernAnyRule(llvm::StringRef) { return true; }
} // namespace python
} // namespace forksafe
