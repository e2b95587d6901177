//===--- CudaBeforeFork.cpp - forksafe-cuda-before-fork ----------------------===//
//
// CUDA initialised in the parent (torch.cuda, .cuda(), .to("cuda"), tensors made on a CUDA
// device, CuPy) before a fork whose child may use CUDA: the child fails with "Cannot
// re-initialize CUDA in forked subprocess". The child may use CUDA when its target does in
// this file (directly or through same-file calls) or cannot be resolved. DataLoader workers
// are not process starts here: they never touch CUDA themselves.
//
//===----------------------------------------------------------------------===//
#include "python/FlowModel.h"
#include "python/Rule.h"

namespace forksafe {
namespace python {

void checkCudaBeforeFork(RuleContext &Ctx) {
  const SemanticModel &M = Ctx.model();
  FlowModel Flow(M, Ctx.config());
  for (const ForkHazard &H : Flow.forksAfterCuda()) {
    std::string Way = H.OsFork ? "start the child with the \"spawn\" start method, or "
                                 "initialise CUDA only after forking"
                               : "use the \"spawn\" start method, or initialise CUDA only "
                                 "after starting the processes";
    Diagnostic &D = Ctx.report(M.calls()[H.Fork].Call,
                               forkDescription(Ctx, H) +
                                   " after CUDA was initialised: the child cannot use CUDA "
                                   "(\"Cannot re-initialize CUDA in forked subprocess\"); " +
                                   Way);
    noteHazard(Ctx, D, H, "CUDA initialised here");
    if (H.ChildCudaUse >= 0)
      Ctx.note(D, M.calls()[H.ChildCudaUse].Call, "the child uses CUDA here");
    else if (H.ChildCudaArgument)
      Ctx.note(D, H.ChildCudaArgument,
               "'" + Ctx.quote(H.ChildCudaArgument) + "', on the GPU, is passed to the child here");
  }
}

} // namespace python
} // namespace forksafe
