//===--- ForkAfterThread.cpp - forksafe-fork-after-thread --------------------===//
//
// A fork while other threads may run: os.fork, pty.fork, or a process start that forks
// (an explicit "fork" context or set_start_method, or the default start method where it is
// fork: Linux before Python 3.14). The child gets a copy of every lock some other thread
// held at that moment, and nobody is left to release it. The order of events comes from
// FlowModel: statement order in each function and at top level, through calls, and through
// the summaries of the project's other modules (their functions called, their top level
// run by an import). The finding is at the fork, wherever it is; the notes tell the story.
//
//===----------------------------------------------------------------------===//
#include "python/FlowModel.h"
#include "python/Rule.h"

namespace forksafe {
namespace python {

void checkForkAfterThread(RuleContext &Ctx) {
  const SemanticModel &M = Ctx.model();
  const FlowModel &Flow = Ctx.flow();
  for (const ForkHazard &H : Flow.forksAfterThreads()) {
    std::string Way = H.OsFork ? "start processes with subprocess or the \"spawn\" or "
                                 "\"forkserver\" start method, or fork before starting threads"
                               : "use the \"spawn\" or \"forkserver\" start method, or start "
                                 "processes before threads";
    Diagnostic &D = reportAtFork(Ctx, H,
                               forkDescription(Ctx, H) +
                                   " while threads may run: the child inherits locks held by "
                                   "them and can deadlock; " +
                                   Way);
    noteHazard(Ctx, D, H, H.Cause.Foreign ? "" : threadStartNote(M, H.Cause));
  }
}

} // namespace python
} // namespace forksafe
