//===--- CudaBeforeForkCheck.h - forksafe-cuda-before-fork ----------------===//
#ifndef FORKSAFE_CPP_CUDABEFOREFORKCHECK_H
#define FORKSAFE_CPP_CUDABEFOREFORKCHECK_H

#include "ForkCheckBase.h"

#include "llvm/ADT/StringSet.h"

namespace clang::tidy::forksafe {

/// Flags fork() after CUDA (runtime or driver), NCCL or MPI was initialised on some path,
/// when the child may use them or runs beyond exec*/_exit.
///
/// For the user-facing documentation see docs/checks/forksafe-cuda-before-fork.md
class CudaBeforeForkCheck : public ForkCheckBase {
public:
  CudaBeforeForkCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;

private:
  bool isInitialiser(const Stmt *S) const;

  SafetyOptions Safety;
  const std::string AdditionalInitialisers;
  llvm::StringSet<> Additional;
};

} // namespace clang::tidy::forksafe

#endif
