//===--- FlowModel.cpp - The flow rules' entry point and messages -----------===//
#include "python/FlowModel.h"

#include "core/StringCompat.h"
#include "python/FlowWalker.h"
#include "python/Project.h"
#include "python/Rule.h"

namespace forksafe {
namespace python {

std::string threadedLibraryName(llvm::StringRef Q) {
  llvm::StringRef Root = Q.split('.').first;
  if (Root == "jax")
    return "JAX";
  if (Root == "tensorflow")
    return "TensorFlow";
  if (Root == "grpc")
    return "gRPC";
  return Root.str();
}

FlowModel::FlowModel(const SemanticModel &M, const Config *Cfg, ProjectLink *Link,
                     llvm::StringRef Path)
    : M(M), Link(Link), Path(Path.str()) {
  prepare();
  // Every fork is spelled in the file: os.fork/os.forkpty/pty.fork and the "fork" method
  // contain "fork"; a process start that forks by default names Process or Pool (also
  // through aliases: the import names the original). Other starters never count as forks.
  // With the project, a fork may be in a function of another module this file imports, or
  // run by an import: only through what touches processes (a summary's forks, process
  // starts and start methods are its process effects). Without one, the threads and CUDA of
  // other modules meet no fork here, and their summaries are not asked for.
  llvm::StringRef Source = M.tree().source();
  ForeignForks = Link && importsProjectEffects(Source, *Link, nullptr, ProjectEffects::Processes);
  if (!containsText(Source, "fork") && !containsText(Source, "Process") &&
      !containsText(Source, "Pool") && !containsText(Source, "DataLoader") && !ForeignForks)
    return;
  Walker W(*this, M, Cfg);
  W.run();
}

bool FlowModel::importsEffects() const {
  return Link && importsProjectEffects(M.tree().source(), *Link);
}

FlowModel::FlowModel(const SemanticModel &M, ProjectLink &Link, llvm::StringRef Path)
    : M(M), Link(&Link), Path(Path.str()), Export(true), ForeignForks(true) {
  prepare();
}

void FlowModel::prepare() {
  for (const Binding &B : M.bindings())
    if (B.Kind == BindingKind::Import &&
        (B.Qualified == "torch" || startsWith(B.Qualified, "torch.")))
      ImportsTorch = true;
  Res = std::make_unique<Resolver>(M, ImportsTorch);
}

FlowModel::~FlowModel() = default;

bool FlowModel::initializesCuda(unsigned Call) const {
  auto It = CudaCache.find(Call);
  if (It != CudaCache.end())
    return It->second;
  bool Result = Res->initializesCuda(Call);
  CudaCache[Call] = Result;
  return Result;
}

//===----------------------------------------------------------------------===//
// Messages shared by the two rules
//===----------------------------------------------------------------------===//

/// "'setup' called here" for each same-file call of a chain.
void noteCallChain(RuleContext &Ctx, Diagnostic &D, llvm::ArrayRef<unsigned> Chain) {
  const SemanticModel &M = Ctx.model();
  for (unsigned Id : Chain) {
    const CallSite &C = M.calls()[Id];
    int Fn = M.calledFunction(C);
    std::string Name = Fn >= 0 ? M.scopes()[Fn].Name.str() : Ctx.quote(C.Callee);
    if (Fn >= 0 && Name == "__init__" && M.scopes()[Fn].Parent >= 0)
      Name = M.scopes()[M.scopes()[Fn].Parent].Name.str() + ".__init__";
    Ctx.note(D, C.Call, "'" + Name + "' called here");
  }
}

std::string forkDescription(RuleContext &Ctx, const ForkHazard &H) {
  if (H.OsFork && H.Foreign)
    return H.Foreign->Describe;
  const CallSite &Fork = Ctx.model().calls()[H.Fork];
  if (H.OsFork)
    return "'" + Ctx.quote(Fork.Callee) + "()'";
  const char *What = H.DataLoader ? "DataLoader workers started" : "process started";
  if (H.DefaultMethod)
    return std::string(What) +
           " with the default start method (\"fork\" on Linux before Python 3.14)";
  return std::string(What) + " with the \"fork\" start method";
}

void noteHazard(RuleContext &Ctx, Diagnostic &D, const ForkHazard &H,
                const std::string &CauseNote) {
  // Calls shared by both chains (the cause and the fork are in one callee) are told once.
  size_t Common = 0;
  while (Common < H.Chain.size() && Common < H.Cause.Chain.size() &&
         H.Chain[Common] == H.Cause.Chain[Common])
    ++Common;
  llvm::ArrayRef<unsigned> CauseChain = H.Cause.Chain, ForkChain = H.Chain;
  if (!H.NoParentCuda) {
    noteCallChain(Ctx, D, CauseChain.take_front(Common));
    noteCallChain(Ctx, D, CauseChain.drop_front(Common));
    if (H.Cause.Foreign)
      noteStory(Ctx, D, H.Cause.Foreign->Notes);
    else
      Ctx.note(D, Ctx.model().calls()[H.Cause.Call].Call, CauseNote);
  } else {
    Common = 0;
  }
  noteCallChain(Ctx, D, ForkChain.drop_front(Common));
  if (H.Foreign) {
    // The calls into the other module, up to the fork (reported there).
    noteStory(Ctx, D, H.Foreign->Path);
  }
}

void noteStory(RuleContext &Ctx, Diagnostic &D, const Story &S) {
  for (const Step &St : S)
    D.Notes.push_back(Note{Location{St.File, St.Line, St.Column}, St.Text});
}

Diagnostic &reportAtFork(RuleContext &Ctx, const ForkHazard &H, std::string Message) {
  if (!H.Foreign)
    return Ctx.report(Ctx.model().calls()[H.Fork].Call, std::move(Message));
  const Step &At = H.Foreign->At;
  return Ctx.reportAt(At.File, At.Line, At.Column, At.EndLine, At.EndColumn, std::move(Message));
}

} // namespace python
} // namespace forksafe
