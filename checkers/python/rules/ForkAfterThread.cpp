//===--- ForkAfterThread.cpp - forksafe-fork-after-thread --------------------===//
//
// A fork while other threads may run: os.fork, pty.fork, or a process start that forks
// (an explicit "fork" context or set_start_method, or the default start method where it is
// fork: Linux before Python 3.14). The child gets a copy of every lock some other thread
// held at that moment, and nobody is left to release it. The order of events comes from
// FlowModel: statement order in each function and at top level, through same-file calls.
//
//===----------------------------------------------------------------------===//
#include "python/FlowModel.h"
#include "python/Rule.h"

namespace forksafe {
namespace python {

static std::string threadStartNote(RuleContext &Ctx, const FlowEvent &E) {
  switch (E.Kind) {
  case FlowEvent::Timer:
    return "timer thread started here";
  case FlowEvent::ThreadPool:
    return "thread pool started here";
  case FlowEvent::Executor:
    return "thread pool executor starts its threads here";
  case FlowEvent::Library: {
    const CallSite &C = Ctx.model().calls()[E.Call];
    return threadedLibraryName(Ctx.model().calleeName(C)) + " starts its threads here";
  }
  default:
    return "thread started here";
  }
}

void checkForkAfterThread(RuleContext &Ctx) {
  const SemanticModel &M = Ctx.model();
  FlowModel Flow(M, Ctx.config());
  for (const ForkHazard &H : Flow.forksAfterThreads()) {
    std::string Way = H.OsFork ? "start processes with subprocess or the \"spawn\" or "
                                 "\"forkserver\" start method, or fork before starting threads"
                               : "use the \"spawn\" or \"forkserver\" start method, or start "
                                 "processes before threads";
    Diagnostic &D = Ctx.report(M.calls()[H.Fork].Call,
                               forkDescription(Ctx, H) +
                                   " while threads may run: the child inherits locks held by "
                                   "them and can deadlock; " +
                                   Way);
    noteHazard(Ctx, D, H, threadStartNote(Ctx, H.Cause));
  }
}

} // namespace python
} // namespace forksafe
