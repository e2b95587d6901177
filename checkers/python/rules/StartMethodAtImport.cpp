//===--- StartMethodAtImport.cpp - forksafe-start-method-at-import ----------===//
//
// set_start_method run when the module is imported (every importer, and every spawned child
// that re-imports the main module, runs it again), or run a second time on one path
// without force=True ("context has already been set"), also where the first call ran in
// another module of the project (imported, or a function of it called first).
//
//===----------------------------------------------------------------------===//
#include "python/FlowModel.h"
#include "python/Rule.h"

#include "llvm/ADT/DenseSet.h"

namespace forksafe {
namespace python {

static bool isSetStartMethod(const SemanticModel &M, const CallSite &C) {
  const ApiEntry *E = M.apiOf(C);
  return E && (E->Flags & SetsStartMethod);
}

static bool forces(const SemanticModel &M, const CallSite &C) {
  Node Force = unparenthesize(M.argument(C.Call, Param{1, "force"}));
  return Force && M.text(Force) == "True";
}

void checkStartMethodAtImport(RuleContext &Ctx) {
  const SemanticModel &M = Ctx.model();
  const std::string SecondMessage =
      "set_start_method() is called a second time without force=True: it raises \"context "
      "has already been set\"; set the start method once, or pass force=True";

  const std::string AtImport =
      "set_start_method() runs when the module is imported: it changes the start method for "
      "every importer, and a spawned child that imports the main module again fails with "
      "\"context has already been set\"; call it once under 'if __name__ == \"__main__\":'";
  if (!isPackageMainModule(Ctx.path())) {
    llvm::DenseSet<const void *> Reported;
    for (const ImportTimeCall &IC : M.importTimeCalls()) {
      const CallSite &C = M.calls()[IC.Call];
      if (!isSetStartMethod(M, C)) {
        // A function of another module that sets it, called at import time.
        const FunctionSummary *FS = Ctx.calledSummary(C);
        if (!FS || !FS->SetsMethod)
          continue;
        const CallSite &Root = IC.Chain.empty() ? C : M.calls()[IC.Chain.front()];
        Node At = Root.Statement ? Root.Statement : Root.Call;
        if (!Reported.insert(At.id()).second)
          continue;
        Diagnostic &D = Ctx.report(At, AtImport);
        Ctx.noteChain(D, IC, "'" + Ctx.quote(C.Callee) + "' called here");
        noteStory(Ctx, D, FS->SetsMethod->Notes);
        continue;
      }
      const CallSite &Root = IC.Chain.empty() ? C : M.calls()[IC.Chain.front()];
      Node At = IC.Chain.empty() ? C.Call : (Root.Statement ? Root.Statement : Root.Call);
      if (!Reported.insert(At.id()).second)
        continue;
      Diagnostic &D = Ctx.report(At, AtImport);
      if (!IC.Chain.empty())
        Ctx.noteChain(D, IC, "set_start_method() called here");
    }
  }

  // A second call on a path where another module (imported, or a function of it called)
  // already set it.
  if (Ctx.link())
    for (const SecondStartMethod &S : Ctx.flow().secondStartMethods()) {
      Diagnostic &D = Ctx.report(M.calls()[S.Call].Call, SecondMessage);
      noteStory(Ctx, D, S.First->Notes);
    }

  // A second call on one path, in the same function (or both at module level).
  std::vector<unsigned> Sets;
  for (unsigned I = 0; I < M.calls().size(); ++I)
    if (isSetStartMethod(M, M.calls()[I]))
      Sets.push_back(I);
  for (size_t J = 1; J < Sets.size(); ++J) {
    const CallSite &Second = M.calls()[Sets[J]];
    if (forces(M, Second))
      continue;
    for (size_t I = 0; I < J; ++I) {
      const CallSite &First = M.calls()[Sets[I]];
      if (First.Runner != Second.Runner || M.exclusiveBranches(First.Branch, Second.Branch))
        continue;
      Diagnostic &D = Ctx.report(Second.Call, SecondMessage);
      Ctx.note(D, First.Call, "start method first set here");
      break;
    }
  }
}

} // namespace python
} // namespace forksafe
