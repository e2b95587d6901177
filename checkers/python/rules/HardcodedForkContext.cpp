//===--- HardcodedForkContext.cpp - forksafe-hardcoded-fork-context ---------===//
//
// The start method "fork" passed to an API that takes a start method: get_context,
// set_start_method (and torch.multiprocessing's), torch spawn/start_processes'
// start_method, DataLoader's multiprocessing_context. A context object made with "fork"
// and passed on (ProcessPoolExecutor(mp_context=...)) is reported where it is made. A method
// chosen by a conditional expression ("spawn" if WIN else "fork") is reported at its "fork"
// arm, with the condition under which it is still chosen; `**kwargs` built in the same
// function (kw = dict(start_method="fork")) are looked into.
//
//===----------------------------------------------------------------------===//
#include "python/Rule.h"

namespace forksafe {
namespace python {

void checkHardcodedForkContext(RuleContext &Ctx) {
  const SemanticModel &M = Ctx.model();
  for (const CallSite &C : M.calls()) {
    const ApiEntry *E = M.apiOf(C);
    if (!E || !E->StartMethod.present())
      continue;
    Node Arg = unparenthesize(M.argument(C.Call, E->StartMethod));
    if (Arg.isNull())
      continue;
    if (Arg.is("conditional_expression")) {
      // "spawn" if WIN else "fork": fork is still chosen on the other platforms.
      auto Parts = Arg.codeChildren();
      if (Parts.size() != 3)
        continue;
      for (unsigned I : {0u, 2u}) {
        auto V = M.stringValue(unparenthesize(Parts[I]), C.Scope);
        if (!V || *V != "fork")
          continue;
        Ctx.report(Parts[I], std::string("start method \"fork\" is still chosen ") +
                                 (I == 0 ? "when '" : "unless '") + Ctx.quote(Parts[1]) +
                                 "': it does not exist on Windows, macOS defaults to spawn, and "
                                 "forking a process that runs threads can deadlock; use "
                                 "\"spawn\" or \"forkserver\" on every platform");
      }
      continue;
    }
    auto Value = M.stringValue(Arg, C.Scope);
    if (!Value || *Value != "fork")
      continue;
    Diagnostic &D = Ctx.report(
        Arg, "start method \"fork\" is hardcoded: it does not exist on Windows, macOS defaults "
             "to spawn, and forking a process that runs threads can deadlock; use \"spawn\" or "
             "\"forkserver\", or choose the method per platform");
    if (Arg.is("identifier")) {
      if (const Binding *B = M.lookup(Ctx.text(Arg), C.Scope, Arg.startByte()))
        Ctx.note(D, B->NameNode, "'" + Ctx.text(Arg).str() + "' is set to \"fork\" here");
      continue;
    }
    // A literal: offer "spawn", which exists everywhere. Unsafe: spawned children re-import
    // the main module and need picklable targets, so behaviour can change.
    if (Arg.is("string"))
      for (Node Part : Arg.children())
        if (Part.is("string_content")) {
          Fix F;
          F.Kind = Applicability::Unsafe;
          F.Description = "use the \"spawn\" start method";
          F.Edits.push_back(Ctx.replace(Part, "spawn"));
          D.FixIt = std::move(F);
        }
  }
}

} // namespace python
} // namespace forksafe
