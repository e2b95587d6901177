//===--- ForkCheckBase.cpp - What every forksafe check shares -------------===//

#include "ForkCheckBase.h"
#include "ApiTables.h"

#include "clang/AST/DeclCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::forksafe {

ForkCheckBase::ForkCheckBase(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      AdditionalForkFunctions(std::string(Options.getLocalOrGlobal("AdditionalForkFunctions", ""))) {}

void ForkCheckBase::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "AdditionalForkFunctions", AdditionalForkFunctions);
}

void ForkCheckBase::addForkMatcher(MatchFinder *Finder) {
  std::vector<std::string> Names;
  for (StringRef F : forkFunctions())
    Names.push_back(("::" + F).str());
  for (StringRef F : splitList(AdditionalForkFunctions))
    Names.push_back(F.str());
  std::vector<StringRef> Refs(Names.begin(), Names.end());
  Finder->addMatcher(callExpr(callee(functionDecl(hasAnyName(Refs))),
                              unless(isExpansionInSystemHeader()))
                         .bind("fork"),
                     this);
}

ForkFacts &ForkCheckBase::facts(ASTContext &Ctx) {
  if (!Facts || &Facts->model().context() != &Ctx)
    Facts = ForkFacts::of(Ctx);
  return *Facts;
}

void ForkCheckBase::noteChain(llvm::ArrayRef<CallLink> Chain, llvm::StringRef Lead) {
  bool First = true;
  for (const CallLink &L : Chain) {
    std::string Text = "'" + describeFunction(L.Callee) + "' called here";
    if (First && !Lead.empty())
      Text += " " + Lead.str();
    diag(L.Call->getBeginLoc(), "%0", DiagnosticIDs::Note) << Text;
    First = false;
  }
}

void ForkCheckBase::noteUnsafe(const UnsafeOperation &Op) {
  if (Op.ReturnedThrough.Call)
    diag(Op.ReturnedThrough.Call->getBeginLoc(), "the child returns from '%0' here",
         DiagnosticIDs::Note)
        << describeFunction(Op.ReturnedThrough.Callee);
  noteChain(Op.Chain, "in the child");
  if (Op.Op)
    diag(Op.Op->getBeginLoc(), "first operation in the child that is not async-signal-safe",
         DiagnosticIDs::Note);
}

std::string ForkCheckBase::childPhrase(const UnsafeOperation &Op) { return Op.Description; }

bool getBoolOption(ClangTidyCheck::OptionsView &Options, llvm::StringRef Name, bool Default) {
  // The string overloads only: the host exports get<bool> under its compiler's mangling of
  // enable_if_t<is_integral_v<T>>, which another compiler spells differently.
  std::string Value = llvm::StringRef(std::string(Options.get(Name, Default ? "true" : "false")))
                          .lower();
  if (Value == "true" || Value == "1" || Value == "yes" || Value == "on")
    return true;
  if (Value == "false" || Value == "0" || Value == "no" || Value == "off")
    return false;
  return Default;
}

void storeBoolOption(ClangTidyCheck::OptionsView &Options, ClangTidyOptions::OptionMap &Opts,
                     llvm::StringRef Name, bool Value) {
  Options.store(Opts, Name, Value ? llvm::StringRef("true") : llvm::StringRef("false"));
}

SafetyOptions::SafetyOptions(ClangTidyCheck::OptionsView &Options)
    : StrictExec(getBoolOption(Options, "StrictExec", false)),
      AdditionalSafeFunctions(std::string(Options.get("AdditionalSafeFunctions", ""))) {}

void SafetyOptions::store(ClangTidyCheck::OptionsView &Options,
                          ClangTidyOptions::OptionMap &Opts) const {
  storeBoolOption(Options, Opts, "StrictExec", StrictExec);
  Options.store(Opts, "AdditionalSafeFunctions", AdditionalSafeFunctions);
}

} // namespace clang::tidy::forksafe
