//===--- UnguardedProcessStart.cpp - forksafe-unguarded-process-start -------===//
//
// A process start that runs when the module is imported: at module level or in a class
// body outside `if __name__ == "__main__":`, or in a function called from there (of this
// module, or of another module of the project whose summary says it starts processes).
// Spawned and forkserver children import the main module again, so the start runs again
// in every child and multiprocessing refuses it ("bootstrapping phase").
//
//===----------------------------------------------------------------------===//
#include "python/FlowModel.h"
#include "python/Rule.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"

namespace forksafe {
namespace python {

void checkUnguardedProcessStart(RuleContext &Ctx) {
  if (isPackageMainModule(Ctx.path()))
    return;
  const SemanticModel &M = Ctx.model();
  llvm::DenseSet<const void *> Reported;
  llvm::StringSet<> UsedExecutors;
  const std::string Message =
      "processes are started when the module is imported: with the spawn and forkserver "
      "start methods every child imports the main module again and fails "
      "(\"bootstrapping phase\"); start them under 'if __name__ == \"__main__\":'";
  for (const ImportTimeCall &IC : M.importTimeCalls()) {
    const CallSite &C = M.calls()[IC.Call];
    const ApiEntry *E = M.apiOf(C);
    if (!E) {
      // A function of another module of the project that starts processes.
      const FunctionSummary *FS = Ctx.calledSummary(C);
      if (!FS || !FS->Starts)
        continue;
      const CallSite &Root = IC.Chain.empty() ? C : M.calls()[IC.Chain.front()];
      Node At = Root.Statement ? Root.Statement : Root.Call;
      if (!Reported.insert(At.id()).second)
        continue;
      Diagnostic &D = Ctx.report(At, Message);
      Ctx.noteChain(D, IC, "'" + Ctx.quote(C.Callee) + "' called here");
      noteStory(Ctx, D, FS->Starts->Notes);
      continue;
    }
    // A ProcessPoolExecutor made at import starts nothing; its first submit/map does.
    bool Starts = (E && (E->Flags & StartsProcesses) && !(E->Flags & StartsOnFirstUse)) ||
                  (E && (E->Flags & FirstUseStarts));
    if (!Starts)
      continue;
    // A fork child does not import the main module again.
    if (M.processStartMethod(C, *E) == "fork")
      continue;
    // An executor used many times starts its workers once: at its first use.
    if (E->Flags & FirstUseStarts) {
      Node Callee = unparenthesize(C.Callee);
      if (Callee.is("attribute") &&
          !UsedExecutors.insert(Ctx.text(Callee.field("object"))).second)
        continue;
    }
    const CallSite &Root = IC.Chain.empty() ? C : M.calls()[IC.Chain.front()];
    Node At = Root.Statement ? Root.Statement : Root.Call;
    if (!Reported.insert(At.id()).second)
      continue;
    Diagnostic &D = Ctx.report(At, Message);
    if (!IC.Chain.empty() || Ctx.tree().start(C.Call).Line != Ctx.tree().start(At).Line)
      Ctx.noteChain(D, IC, "process started here");
  }
}

} // namespace python
} // namespace forksafe
