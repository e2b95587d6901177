//===--- CudaBeforeFork.cpp - forksafe-cuda-before-fork ----------------------===//
//
// CUDA initialised in the parent (torch.cuda, .cuda(), .to("cuda"), tensors made on a CUDA
// device, CuPy) before a fork whose child may use CUDA: the child fails with "Cannot
// re-initialize CUDA in forked subprocess". The child may use CUDA when its target does
// (directly or through calls, in this module or another of the project) or cannot be
// resolved. A fork-based process start whose target uses CUDA is reported even when no
// initialisation in the parent is seen: PyTorch requires spawn or forkserver for CUDA in
// children, and any imported library may have touched CUDA. DataLoader workers are not
// process starts here: they never touch CUDA themselves.
//
//===----------------------------------------------------------------------===//
#include "python/FlowModel.h"
#include "python/Rule.h"

namespace forksafe {
namespace python {

void checkCudaBeforeFork(RuleContext &Ctx) {
  const SemanticModel &M = Ctx.model();
  const FlowModel &Flow = Ctx.flow();
  for (const ForkHazard &H : Flow.forksAfterCuda()) {
    std::string Way = H.OsFork ? "start the child with the \"spawn\" start method, or "
                                 "initialise CUDA only after forking"
                               : "use the \"spawn\" start method, or initialise CUDA only "
                                 "after starting the processes";
    std::string Message =
        H.NoParentCuda
            ? forkDescription(Ctx, H) +
                  " whose child uses CUDA: the child fails (\"Cannot re-initialize CUDA in "
                  "forked subprocess\") as soon as anything in the parent, an imported library "
                  "included, has touched CUDA; use the \"spawn\" or \"forkserver\" start method"
            : forkDescription(Ctx, H) +
                  " after CUDA was initialised: the child cannot use CUDA "
                  "(\"Cannot re-initialize CUDA in forked subprocess\"); " +
                  Way;
    Diagnostic &D = reportAtFork(Ctx, H, std::move(Message));
    noteHazard(Ctx, D, H, "CUDA initialised here");
    if (H.ChildCudaUse >= 0 && H.ChildCudaForeign) {
      const CallSite &C = M.calls()[H.ChildCudaUse];
      int Fn = M.calledFunction(C);
      std::string Name = Fn >= 0 ? M.scopes()[Fn].Name.str() : Ctx.quote(C.Callee);
      Ctx.note(D, C.Call, "'" + Name + "' called here");
      noteStory(Ctx, D, H.ChildCudaForeign->Notes);
    } else if (H.ChildCudaUse >= 0) {
      Ctx.note(D, M.calls()[H.ChildCudaUse].Call, "the child uses CUDA here");
    } else if (H.ChildCudaForeign) {
      noteStory(Ctx, D, H.ChildCudaForeign->Notes);
    } else if (H.ChildCudaArgument)
      Ctx.note(D, H.ChildCudaArgument,
               "'" + Ctx.quote(H.ChildCudaArgument) + "', on the GPU, is passed to the child here");
  }
}

} // namespace python
} // namespace forksafe
