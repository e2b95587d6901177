//===--- PreexecFn.cpp - forksafe-preexec-fn --------------------------------===//
//
// subprocess.Popen and the functions that pass their keywords to it, with a preexec_fn
// that is not None. The function runs in the child between fork and exec, where only
// async-signal-safe work is safe if the parent has threads.
//
//===----------------------------------------------------------------------===//
#include "python/Rule.h"

namespace forksafe {
namespace python {

void checkPreexecFn(RuleContext &Ctx) {
  const SemanticModel &M = Ctx.model();
  for (const CallSite &C : M.calls()) {
    const ApiEntry *E = M.apiOf(C);
    if (!E || !(E->Flags & RunsPreexecFn))
      continue;
    Node Arg = unparenthesize(M.argument(C.Call, E->PreexecFn));
    if (Arg.isNull() || Arg.is("none"))
      continue;
    Ctx.report(Arg, "preexec_fn runs Python code in the child between fork and exec, which can "
                    "deadlock when the parent runs threads; use start_new_session, "
                    "process_group, user, group, extra_groups or umask instead");
  }
}

} // namespace python
} // namespace forksafe
