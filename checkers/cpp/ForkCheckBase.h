//===--- ForkCheckBase.h - What every forksafe check shares ---------------===//
//
// The per-translation-unit model, the fork matcher, and the notes that tell a finding's
// story (call chains, the first unsafe operation of the child).
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CPP_FORKCHECKBASE_H
#define FORKSAFE_CPP_FORKCHECKBASE_H

#include "ForkAnalysis.h"

#include "clang-tidy/ClangTidyCheck.h"

#include <memory>

namespace clang::tidy::forksafe {

class ForkCheckBase : public ClangTidyCheck {
public:
  ForkCheckBase(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void onEndOfTranslationUnit() override { Facts.reset(); }

protected:
  /// Matches calls of fork, _Fork, forkpty and the AdditionalForkFunctions (project wrappers
  /// defined in other translation units, like redis's redisFork) outside system headers,
  /// bound to "fork".
  void addForkMatcher(ast_matchers::MatchFinder *Finder);

  /// Read locally or from the global option of the same name, so one setting serves all.
  const std::string AdditionalForkFunctions;
  /// The analyses of this TU's forks, shared with the other forksafe checks (ForkFacts.h).
  ForkFacts &facts(ASTContext &Ctx);
  TranslationUnitModel &model(ASTContext &Ctx) { return facts(Ctx).model(); }

  /// Notes "'f' called here" along Chain; the first one says Lead (e.g. "in the child").
  void noteChain(llvm::ArrayRef<CallLink> Chain, llvm::StringRef Lead);
  /// The child's first unsafe operation and the calls leading to it.
  void noteUnsafe(const UnsafeOperation &Op);
  /// Messages: "calls 'printf', which is not async-signal-safe," and the like.
  static std::string childPhrase(const UnsafeOperation &Op);

  std::shared_ptr<ForkFacts> Facts;
};

/// Boolean options through the string accessors (see ForkCheckBase.cpp for why).
bool getBoolOption(ClangTidyCheck::OptionsView &Options, llvm::StringRef Name, bool Default);
void storeBoolOption(ClangTidyCheck::OptionsView &Options, ClangTidyOptions::OptionMap &Opts,
                     llvm::StringRef Name, bool Value);

/// Options shared by the checks that judge a child's async-signal-safety.
struct SafetyOptions {
  SafetyOptions(ClangTidyCheck::OptionsView &Options);
  void store(ClangTidyCheck::OptionsView &Options, ClangTidyOptions::OptionMap &Opts) const;
  SafetyPolicy policy() const { return SafetyPolicy(StrictExec, AdditionalSafeFunctions); }

  bool StrictExec;
  std::string AdditionalSafeFunctions;
};

} // namespace clang::tidy::forksafe

#endif
