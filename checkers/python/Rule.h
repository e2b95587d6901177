//===--- Rule.h - What a Python rule sees, and the rules there are ----------===//
//
// A rule is one function over a RuleContext, defined in rules/<Name>.cpp (one file per rule).
// The registration table in PythonAnalyzer.cpp maps check ids to these functions.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_PYTHON_RULE_H
#define FORKSAFE_PYTHON_RULE_H

#include "core/Config.h"
#include "core/Diagnostic.h"
#include "python/SemanticModel.h"
#include "python/Summary.h"
#include "python/SyntaxTree.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace forksafe {
namespace python {

class FlowModel;
class ProjectLink;

class RuleContext {
public:
  RuleContext(llvm::StringRef Path, const SyntaxTree &Tree,
              std::function<const SemanticModel &()> Model, const Config *Cfg,
              std::vector<Diagnostic> &Diags, ProjectLink *Link = nullptr,
              ProjectLink *FlowLink = nullptr);
  ~RuleContext();

  llvm::StringRef path() const { return Path; }
  const SyntaxTree &tree() const { return Tree; }
  /// Built on first use (the syntax-error rule does not need it).
  const SemanticModel &model() const { return GetModel(); }
  const Config *config() const { return Cfg; }
  /// The statement-order facts of the flow rules, linked with the rest of the project
  /// (FlowLink: also when the rules have no link, for the threads and CUDA of other modules
  /// at this file's forks); built once, on first use.
  const FlowModel &flow() const;
  /// The rest of the project (null when the file is analysed alone).
  ProjectLink *link() const { return Link; }
  /// The summary of the function of another project module that C calls, or null.
  const FunctionSummary *calledSummary(const CallSite &C) const;
  llvm::StringRef text(Node N) const { return Tree.text(N); }

  /// Sets the id the next reports carry (the registration table does this).
  void setCheck(const char *Id) { Check = Id; }
  /// A warning spanning node At.
  Diagnostic &report(Node At, std::string Message);
  /// A warning at a place in another file of the project (the fork a hazard is fixed at).
  Diagnostic &reportAt(const std::string &File, unsigned Line, unsigned Column, unsigned EndLine,
                       unsigned EndColumn, std::string Message);
  void note(Diagnostic &D, Node At, std::string Message);
  /// An edit replacing the bytes of At.
  Edit replace(Node At, std::string Replacement) const;
  /// Notes that tell how an import-time call is reached: one at each call of the chain
  /// ("'f' called here"), then Final at the call itself.
  void noteChain(Diagnostic &D, const ImportTimeCall &IC, const std::string &Final);
  /// Source text of N for messages: one line, at most 40 bytes.
  std::string quote(Node N) const;

private:
  llvm::StringRef Path;
  const SyntaxTree &Tree;
  std::function<const SemanticModel &()> GetModel;
  const Config *Cfg;
  std::vector<Diagnostic> &Diags;
  ProjectLink *Link;
  ProjectLink *FlowLink;
  mutable std::unique_ptr<FlowModel> Flow;
  const char *Check = "";
};

using RuleFunction = void (*)(RuleContext &);

// One per file in rules/.
void checkHardcodedForkContext(RuleContext &Ctx);
void checkUnguardedProcessStart(RuleContext &Ctx);
void checkUnpicklableProcessTarget(RuleContext &Ctx);
void checkStartMethodAtImport(RuleContext &Ctx);
void checkPreexecFn(RuleContext &Ctx);
void checkSyntaxError(RuleContext &Ctx);
void checkForkAfterThread(RuleContext &Ctx);
void checkCudaBeforeFork(RuleContext &Ctx);

/// Files named __main__.py are never re-imported by spawned children (multiprocessing skips
/// them when it prepares the child), so import-time process starts there are harmless.
bool isPackageMainModule(llvm::StringRef Path);

} // namespace python
} // namespace forksafe

#endif
