//===--- FlowProject.cpp - The flow walk and the rest of the project ----------===//
//
// What links one file's walk to the other modules of the project: calls of their
// functions and imports of them applied through their summaries, the stories (process
// start, start method set, CUDA use, callables handed to process APIs) a function's summary
// exports, and summarizeModule, which turns a walk into a ModuleSummary.
//
//===----------------------------------------------------------------------===//
#include "python/FlowWalker.h"

#include "python/Project.h"

namespace forksafe {
namespace python {

Step FlowModel::Walker::stepAt(Node N, std::string Text) const {
  Step St;
  St.File = FM.Path;
  Position A = M.tree().start(N), B = M.tree().end(N);
  St.Line = A.Line;
  St.Column = A.Column;
  St.EndLine = B.Line;
  St.EndColumn = B.Column;
  St.Text = std::move(Text);
  return St;
}

std::string FlowModel::Walker::calledName(const CallSite &C) const {
  int Fn = M.calledFunction(C);
  if (Fn < 0)
    Fn = M.calledMethodOfLocalInstance(C);
  if (Fn >= 0) {
    std::string Name = M.scopes()[Fn].Name.str();
    int Parent = M.scopes()[Fn].Parent;
    if (Parent >= 0 && M.scopes()[Parent].Kind == ScopeKind::Class)
      Name = M.scopes()[Parent].Name.str() + "." + Name;
    return Name;
  }
  llvm::StringRef T = M.text(unparenthesize(C.Callee));
  T = T.take_until([](char Ch) { return Ch == '\n' || Ch == '\r' || Ch == '('; });
  return T.take_front(40).str();
}

const FunctionSummary *FlowModel::Walker::foreignFunction(const CallSite &C) const {
  if (!FM.Link)
    return nullptr;
  std::string Q = linkedCallee(M, C, *FM.Link);
  return Q.empty() ? nullptr : FM.Link->function(Q);
}

const FunctionSummary *FlowModel::Walker::foreignCallable(Node Expr, unsigned S) const {
  if (!FM.Link)
    return nullptr;
  Expr = unparenthesize(Expr);
  if (!Expr.is("identifier") && !Expr.is("attribute"))
    return nullptr;
  std::string Q = linkedName(M, Expr, S, *FM.Link);
  return Q.empty() ? nullptr : FM.Link->function(Q);
}

EffectRef FlowModel::Walker::withStep(const Step &First, const EffectRef &E) {
  if (!E)
    return E;
  auto Out = std::make_shared<Effect>(*E);
  Out->Notes.insert(Out->Notes.begin(), First);
  return Out;
}

bool FlowModel::Walker::forcesStartMethod(const CallSite &C) const {
  Node Force = unparenthesize(M.argument(C.Call, Param{1, "force"}));
  return Force && M.text(Force) == "True";
}

void FlowModel::Walker::applyForeign(const FunctionSummary &FS, int Id, const Step &At, State &S, Frame &Fr) {
  for (const ForkRef &P : FS.Forks) {
    PendingFork Q;
    Q.Fork = Id;
    auto F = std::make_shared<ForkEffect>(*P);
    F->Path.insert(F->Path.begin(), At);
    Q.Foreign = F;
    Q.OsFork = P->OsFork;
    Q.DataLoader = P->DataLoader;
    Q.Method = P->Method.empty() ? S.Method : P->Method;
    if (!Q.Method.empty() && Q.Method != "fork")
      continue;
    for (const EffectRef &T : P->Threads) {
      ThreadFact TF;
      TF.Event.Kind = static_cast<FlowEvent::KindT>(T->Kind);
      TF.Event.Foreign = withStep(At, T);
      addThread(Q.Threads, std::move(TF));
    }
    for (const ThreadFact &T : S.Threads)
      addThread(Q.Threads, T);
    if (P->Cuda) {
      FlowEvent Ev;
      Ev.Kind = FlowEvent::Cuda;
      Ev.Foreign = withStep(At, P->Cuda);
      Q.Cuda = Ev;
    } else {
      Q.Cuda = S.Cuda;
    }
    Q.ChildMayUseCuda = P->ChildMayUseCuda;
    Q.ChildCudaForeign = P->ChildCudaUse;
    Q.Joined = S.Joined;
    judge(Q, Fr.IsModule, true);
    addPending(Fr, std::move(Q));
  }
  std::string ResultKey =
      Id >= 0 ? resultKeyOf(M.calls()[Id].Call, M.calls()[Id].Scope) : std::string();
  for (const EffectRef &T : FS.ExitThreads) {
    ThreadFact TF;
    TF.Event.Kind = static_cast<FlowEvent::KindT>(T->Kind);
    TF.Event.Foreign = withStep(At, T);
    if (T->Returned && !ResultKey.empty())
      TF.Keys.push_back(ResultKey);
    addThread(S.Threads, std::move(TF));
  }
  if (!S.Cuda && FS.Cuda) {
    FlowEvent Ev;
    Ev.Kind = FlowEvent::Cuda;
    Ev.Foreign = withStep(At, FS.Cuda);
    S.Cuda = Ev;
  }
  if (!FS.Method.empty())
    S.Method = FS.Method;
  if (FS.SetsMethod && !S.ForeignMethodSet)
    S.ForeignMethodSet = withStep(At, FS.SetsMethod);
}

void FlowModel::Walker::importModules(Node N, State &S, Frame &Fr) {
  if (!FM.Link)
    return;
  for (const std::string &Name : importedModules(M, N, *FM.Link)) {
    const ModuleSummary *MS = FM.Link->module(Name);
    if (!MS)
      continue;
    Step At = stepAt(N, "'" + Name + "' imported here");
    // Forks the module runs when imported are its own findings.
    FunctionSummary Effects = MS->Import;
    Effects.Forks.clear();
    applyForeign(Effects, /*Id=*/-1, At, S, Fr);
  }
}

EffectRef FlowModel::Walker::storyTo(int F, const Goal &G, unsigned Depth) {
  if (F < 0 || Depth > MaxCallDepth)
    return nullptr;
  if (auto It = G.Memo->find(F); It != G.Memo->end())
    return It->second;
  (*G.Memo)[F] = nullptr; // recursion: nothing found through the cycle
  EffectRef Found;
  for (unsigned Id : CallsByRunner.lookup(F)) {
    const CallSite &C = M.calls()[Id];
    bool Follow = true;
    if (G.IsEvent(Id, Follow)) {
      auto Ef = std::make_shared<Effect>();
      Ef->Kind = G.Kind;
      Ef->Notes.push_back(stepAt(C.Call, G.Note));
      Found = Ef;
      break;
    }
    if (!Follow)
      continue;
    Step At = stepAt(C.Call, "'" + calledName(C) + "' called here");
    int Callee = localCallee(C);
    if (Callee >= 0) {
      if (EffectRef Inner = storyTo(Callee, G, Depth + 1)) {
        Found = withStep(At, Inner);
        break;
      }
    } else if (const FunctionSummary *FS = foreignFunction(C); FS && FS->*G.Field) {
      Found = withStep(At, FS->*G.Field);
      break;
    }
  }
  (*G.Memo)[F] = Found;
  return Found;
}

EffectRef FlowModel::Walker::startsIn(int F) {
  Goal G{[&](unsigned Id, bool &Follow) {
           const CallSite &C = M.calls()[Id];
           const ApiEntry *E = M.apiOf(C);
           if (!E)
             return false;
           Follow = false;
           bool Starts = ((E->Flags & StartsProcesses) && !(E->Flags & StartsOnFirstUse)) ||
                         (E->Flags & FirstUseStarts);
           return Starts && M.processStartMethod(C, *E) != "fork";
         },
         "process started here", 0, &FunctionSummary::Starts, &StartsMemo};
  return storyTo(F, G);
}

EffectRef FlowModel::Walker::setsMethodIn(int F) {
  Goal G{[&](unsigned Id, bool &Follow) {
           const CallSite &C = M.calls()[Id];
           const ApiEntry *E = M.apiOf(C);
           if (!E)
             return false;
           Follow = false;
           return (E->Flags & SetsStartMethod) && !forcesStartMethod(C);
         },
         "start method set here", 0, &FunctionSummary::SetsMethod, &SetsMemo};
  return storyTo(F, G);
}

EffectRef FlowModel::Walker::cudaStory(int F) {
  Goal G{[&](unsigned Id, bool &) { return FM.initializesCuda(Id); },
         "the child uses CUDA here", FlowEvent::Cuda, &FunctionSummary::CudaUse,
         &CudaStoryMemo};
  return storyTo(F, G);
}

int FlowModel::Walker::localCallee(const CallSite &C) const {
  int G = M.calledFunction(C);
  if (G < 0)
    G = M.calledMethodOfLocalInstance(C);
  return G >= 0 && M.scopes()[G].Kind == ScopeKind::Function ? G : -1;
}

bool FlowModel::Walker::parameterOf(int F, llvm::StringRef Name, int &Position) const {
  Node Params = M.scopes()[F].Def.field("parameters");
  int Pos = 0;
  bool Method =
      M.scopes()[F].Parent >= 0 && M.scopes()[M.scopes()[F].Parent].Kind == ScopeKind::Class;
  bool KeywordOnly = false;
  for (Node P : Params.codeChildren()) {
    if (P.is("keyword_separator") || P.is("list_splat_pattern")) {
      KeywordOnly = true;
      continue;
    }
    Node N = P.is("identifier") ? P : P.field("name");
    if (P.is("typed_parameter"))
      for (Node X : P.codeChildren())
        if (X.is("identifier")) {
          N = X;
          break;
        }
    if (!N.is("identifier"))
      continue;
    if (Method && Pos == 0 && (M.text(N) == "self" || M.text(N) == "cls")) {
      Method = false;
      continue;
    }
    if (M.text(N) == Name) {
      Position = KeywordOnly ? -1 : Pos;
      return true;
    }
    ++Pos;
  }
  return false;
}

bool FlowModel::Walker::isParameterOf(int F, Node Arg, int &Position, std::string &Name) const {
  Arg = unparenthesize(Arg);
  if (!Arg.is("identifier"))
    return false;
  const Binding *B = M.lookup(M.text(Arg), F, Arg.startByte());
  if (!B || B->Kind != BindingKind::Parameter)
    return false;
  auto It = M.scopes()[F].Names.find(M.text(Arg));
  if (It == M.scopes()[F].Names.end())
    return false;
  Name = M.text(Arg).str();
  return parameterOf(F, Name, Position);
}

const std::vector<Handoff> &FlowModel::Walker::handoffsOf(int F, unsigned Depth) {
  static const std::vector<Handoff> None;
  if (F < 0 || Depth > MaxCallDepth)
    return None;
  if (auto It = HandoffMemo.find(F); It != HandoffMemo.end())
    return It->second;
  HandoffMemo[F]; // recursion
  std::vector<Handoff> Out;
  auto Add = [&](Handoff H) {
    for (const Handoff &O : Out)
      if (O.Name == H.Name)
        return;
    Out.push_back(std::move(H));
  };
  for (unsigned Id : CallsByRunner.lookup(F)) {
    const CallSite &C = M.calls()[Id];
    if (const ApiEntry *E = M.apiOf(C)) {
      for (const Param *P : M.pickledParams(C, *E)) {
        Handoff H;
        if (!isParameterOf(F, M.argument(C.Call, *P), H.Position, H.Name))
          continue;
        H.Api = "'" + calledName(C) + "()'";
        H.Notes.push_back(stepAt(C.Call, "'" + H.Name + "' is handed to " + H.Api + " here"));
        Add(std::move(H));
      }
      continue;
    }
    // f(fn) where f hands its parameter on.
    int G = localCallee(C);
    const std::vector<Handoff> *Inner = nullptr;
    if (G >= 0)
      Inner = &handoffsOf(G, Depth + 1);
    else if (const FunctionSummary *FS = foreignFunction(C))
      Inner = &FS->Handoffs;
    if (!Inner)
      continue;
    for (const Handoff &I : *Inner) {
      Node Arg = M.argument(C.Call, Param{I.Position, I.Name.c_str()});
      Handoff H;
      if (!isParameterOf(F, Arg, H.Position, H.Name))
        continue;
      H.Api = I.Api;
      H.Notes.push_back(stepAt(C.Call, "'" + H.Name + "' is passed to '" + calledName(C) +
                                           "' here"));
      H.Notes.insert(H.Notes.end(), I.Notes.begin(), I.Notes.end());
      Add(std::move(H));
    }
  }
  HandoffMemo[F] = Out;
  return HandoffMemo[F];
}

std::string threadStartNote(const SemanticModel &M, const FlowEvent &E) {
  switch (E.Kind) {
  case FlowEvent::Timer:
    return "timer thread started here";
  case FlowEvent::ThreadPool:
    return "thread pool started here";
  case FlowEvent::Executor:
    return "thread pool executor starts its threads here";
  case FlowEvent::Library:
    return threadedLibraryName(M.calleeName(M.calls()[E.Call])) + " starts its threads here";
  case FlowEvent::Cuda:
    return "CUDA initialised here";
  default:
    return "thread started here";
  }
}

ModuleSummary summarizeModule(const SemanticModel &M, llvm::StringRef Path, const Config *Cfg,
                              ProjectLink &Link) {
  FlowModel FM(M, Link, Path);
  FlowModel::Walker W(FM, M, Cfg);
  W.run();
  auto Chain = [&](llvm::ArrayRef<unsigned> Calls) {
    Story Out;
    for (unsigned Id : Calls)
      Out.push_back(W.stepAt(M.calls()[Id].Call, "'" + W.calledName(M.calls()[Id]) + "' called here"));
    return Out;
  };
  auto Event = [&](const FlowEvent &E) {
    auto Out = std::make_shared<Effect>();
    Out->Kind = E.Kind;
    Out->Notes = Chain(E.Chain);
    if (E.Foreign)
      Out->Notes.insert(Out->Notes.end(), E.Foreign->Notes.begin(), E.Foreign->Notes.end());
    else
      Out->Notes.push_back(W.stepAt(M.calls()[E.Call].Call, threadStartNote(M, E)));
    return Out;
  };
  auto Fork = [&](const PendingFork &P) {
    auto F = std::make_shared<ForkEffect>();
    F->Path = Chain(P.Chain);
    if (P.Foreign) {
      F->Path.insert(F->Path.end(), P.Foreign->Path.begin(), P.Foreign->Path.end());
      F->At = P.Foreign->At;
      F->Describe = P.Foreign->Describe;
    } else {
      const CallSite &C = M.calls()[P.Fork];
      F->At = W.stepAt(C.Call, "");
      if (P.OsFork) {
        llvm::StringRef T = M.text(unparenthesize(C.Callee));
        F->Describe = "'" + T.take_front(40).str() + "()'";
      }
    }
    F->OsFork = P.OsFork;
    F->DataLoader = P.DataLoader;
    F->Method = P.Method;
    for (const ThreadFact &T : P.Threads)
      F->Threads.push_back(Event(T.Event));
    if (P.Cuda)
      F->Cuda = Event(*P.Cuda);
    F->ChildMayUseCuda = P.ChildMayUseCuda;
    if (P.ChildCudaUse >= 0) {
      const CallSite &C = M.calls()[P.ChildCudaUse];
      auto U = std::make_shared<Effect>();
      U->Kind = FlowEvent::Cuda;
      if (P.ChildCudaForeign) {
        U->Notes.push_back(W.stepAt(C.Call, "'" + W.calledName(C) + "' called here"));
        U->Notes.insert(U->Notes.end(), P.ChildCudaForeign->Notes.begin(),
                        P.ChildCudaForeign->Notes.end());
      } else {
        U->Notes.push_back(W.stepAt(C.Call, "the child uses CUDA here"));
      }
      F->ChildCudaUse = U;
    } else {
      F->ChildCudaUse = P.ChildCudaForeign;
    }
    return F;
  };

  ModuleSummary Out;
  // What importing it does: its top level up to the __main__ guard.
  if (W.ImportState) {
    const State &In = *W.ImportState;
    for (const ThreadFact &T : In.Threads)
      Out.Import.ExitThreads.push_back(Event(T.Event));
    if (In.Cuda)
      Out.Import.Cuda = Event(*In.Cuda);
    Out.Import.Method = In.Method;
    Out.Import.SetsMethod = In.ForeignMethodSet;
  }
  for (const ImportTimeCall &IC : M.importTimeCalls()) {
    const CallSite &C = M.calls()[IC.Call];
    const ApiEntry *E = M.apiOf(C);
    if (!E || !(E->Flags & SetsStartMethod) || W.forcesStartMethod(C))
      continue;
    auto Set = std::make_shared<Effect>();
    Set->Notes = Chain(IC.Chain);
    Set->Notes.push_back(W.stepAt(C.Call, "start method set here"));
    Out.Import.SetsMethod = Set;
    break;
  }

  // Its functions, and the methods of its classes; those that reach nothing a summary
  // holds are not walked (most functions of most modules).
  std::vector<bool> MayHold = W.mayHoldEffects();
  for (unsigned F = 1; F < M.scopes().size(); ++F) {
    const Scope &Sc = M.scopes()[F];
    if (Sc.Kind != ScopeKind::Function || !MayHold[F])
      continue;
    std::string Key;
    if (Sc.Parent == 0) {
      Key = Sc.Name.str();
    } else {
      const Scope &Cls = M.scopes()[Sc.Parent];
      if (Cls.Kind != ScopeKind::Class || Cls.Parent != 0)
        continue;
      Key = Cls.Name.str() + "." + Sc.Name.str();
    }
    const Summary &Sum = W.summaryOf(F, 0);
    FunctionSummary FS;
    for (const ThreadFact &T : Sum.ExitThreads) {
      auto Ef = Event(T.Event);
      Ef->Returned = hasKey(T, Sum.Returned);
      FS.ExitThreads.push_back(Ef);
    }
    if (Sum.Cuda)
      FS.Cuda = Event(*Sum.Cuda);
    FS.Method = Sum.Method;
    for (const PendingFork &P : Sum.Forks)
      FS.Forks.push_back(Fork(P));
    FS.CudaUse = W.cudaStory(F);
    FS.SetsMethod = W.setsMethodIn(F);
    FS.Starts = W.startsIn(F);
    FS.Handoffs = W.handoffsOf(F);
    if (FS.empty())
      continue;
    if (Sc.Name == "__init__" && Sc.Parent != 0)
      Out.Functions[M.scopes()[Sc.Parent].Name] = FS; // calling the class runs __init__
    Out.Functions[Key] = std::move(FS);
  }

  // Names it binds by importing: what `from pkg import f` finds in pkg/__init__.py. Only
  // those of modules with something in their summaries: the others find nothing anyway, and
  // a module that only re-exports them stays empty (its importers are analysed alone).
  for (const auto &Entry : M.scopes()[0].Names)
    for (unsigned Id : Entry.second) {
      const Binding &B = M.bindings()[Id];
      if (B.Kind != BindingKind::Import)
        continue;
      std::string Target = importedName(M, B, Link);
      if (!Target.empty() && nameHasEffects(Link, Target, /*InCycle=*/true))
        Out.Imports[Entry.first()] = Target;
    }
  return Out;
}

} // namespace python
} // namespace forksafe
