//===--- FlowWalker.cpp - The walk of one file in statement order -------------===//
//
// Statements in order, branches merged, loops walked twice, same-file calls through their
// summaries; each fork judged with the threads and CUDA that precede it.
//
//===----------------------------------------------------------------------===//
#include "python/FlowWalker.h"

#include <algorithm>

namespace forksafe {
namespace python {
namespace flow {

void addJoined(llvm::SmallVectorImpl<std::string> &To, llvm::StringRef Key) {
  if (std::find(To.begin(), To.end(), Key) == To.end())
    To.push_back(Key.str());
}

bool hasKey(const ThreadFact &T, llvm::ArrayRef<std::string> Keys) {
  for (const std::string &K : T.Keys)
    if (std::find(Keys.begin(), Keys.end(), K) != Keys.end())
      return true;
  return false;
}

void addThread(std::vector<ThreadFact> &To, ThreadFact T) {
  for (ThreadFact &O : To)
    if (O.sameAs(T)) {
      for (std::string &K : T.Keys)
        if (std::find(O.Keys.begin(), O.Keys.end(), K) == O.Keys.end())
          O.Keys.push_back(K);
      return;
    }
  if (To.size() < MaxFacts)
    To.push_back(std::move(T));
}

/// The states of the arms of a branch joined: a thread that ran before the branch still runs
/// after it only if no arm ended it (a join on one path is taken as the join: joins are
/// matched by name, and precision matters more here); threads started in any arm may run.
State merge(const State &In, llvm::ArrayRef<const State *> Arms) {
  State Out;
  llvm::SmallVector<const State *, 4> Live;
  for (const State *A : Arms)
    if (!A->Dead)
      Live.push_back(A);
  if (Live.empty()) {
    Out = In;
    Out.Dead = true;
    return Out;
  }
  auto Contains = [](const std::vector<ThreadFact> &V, const ThreadFact &T) {
    for (const ThreadFact &O : V)
      if (O.sameAs(T))
        return true;
    return false;
  };
  for (const State *A : Live)
    for (const ThreadFact &T : A->Threads) {
      if (Contains(In.Threads, T)) {
        bool Everywhere = true;
        for (const State *B : Live)
          Everywhere &= Contains(B->Threads, T);
        if (!Everywhere)
          continue;
      }
      addThread(Out.Threads, T);
    }
  for (const State *A : Live)
    if (A->Cuda) {
      Out.Cuda = A->Cuda;
      break;
    }
  for (const State *A : Live) {
    if (A->ForeignMethodSet && !Out.ForeignMethodSet)
      Out.ForeignMethodSet = A->ForeignMethodSet;
    Out.LocalMethodSet |= A->LocalMethodSet;
  }
  Out.Method = Live.front()->Method;
  for (const State *A : Live)
    if (A->Method != Out.Method)
      Out.Method = "?";
  for (const State *A : Arms) {
    for (const std::string &K : A->Joined)
      addJoined(Out.Joined, K);
    for (const std::string &K : A->UsedExecutors)
      addJoined(Out.UsedExecutors, K);
  }
  return Out;
}

llvm::SmallVector<unsigned, 2> prefixed(unsigned Call, llvm::ArrayRef<unsigned> Chain) {
  llvm::SmallVector<unsigned, 2> Out{Call};
  Out.append(Chain.begin(), Chain.end());
  return Out;
}

bool isCollectionAdd(llvm::StringRef Method) {
  return Method == "append" || Method == "add" || Method == "extend" || Method == "insert";
}

bool isExecName(llvm::StringRef Q) {
  return startsWith(Q, "os.exec") || Q == "os.posix_spawn" || Q == "os.posix_spawnp";
}

} // namespace flow

FlowModel::Walker::Walker(FlowModel &FM, const SemanticModel &M, const Config *Cfg)
    : FM(FM), M(M), Api(M.api()), R(*FM.Res), Summaries(M.scopes().size()) {
  DefaultIsFork = !(Cfg && Cfg->TargetVersion && Cfg->TargetVersion->atLeast(3, 14));
  for (unsigned I = 0; I < M.calls().size(); ++I) {
    const CallSite &C = M.calls()[I];
    if (C.Statement)
      CallsByStatement[C.Statement.id()].push_back(I);
    CallsByRunner[C.Runner].push_back(I);
    CallIdOf[C.Call.id()] = I;
  }
  for (unsigned I = 0; I < M.scopes().size(); ++I)
    if (M.scopes()[I].Def)
      ScopeOfDefinition[M.scopes()[I].Def.id()] = I;
  // Calls in evaluation order: an inner call ends before the call that contains it.
  for (auto &Entry : CallsByStatement)
    std::stable_sort(Entry.second.begin(), Entry.second.end(), [&](unsigned A, unsigned B) {
      return M.calls()[A].Call.endByte() < M.calls()[B].Call.endByte();
    });
}

void FlowModel::Walker::run() {
  bool AnyFork = false;
  std::vector<bool> Called(M.scopes().size(), false);
  for (unsigned I = 0; I < M.calls().size(); ++I) {
    const CallSite &C = M.calls()[I];
    const ApiEntry *E = entryOfCall(I);
    if (E && (E->Flags & (Forks | StartsProcesses | FirstUseStarts)))
      AnyFork = true;
    if (E && (E->Flags & SetsStartMethod)) {
      // Setting "fork" keeps the default's verdict; any other value makes it unknown.
      Node Arg = M.argument(C.Call, E->StartMethod);
      auto V = Arg ? M.stringValue(Arg, C.Scope) : std::nullopt;
      if (!V || *V != "fork")
        FileSetsStartMethod = true;
    }
    int F = localTarget(I);
    if (F >= 0)
      Called[F] = true;
  }
  AnyFork |= M.tree().source().contains("DataLoader"); // workers forked when iterated
  if (!AnyFork && !FM.ForeignForks)
    return;
  // The threads and CUDA of other modules reach this file's forks only through what it
  // imports: when nothing it imports has an effect, the walk is the file's alone (as cheap
  // as without the project).
  if (FM.Link && !FM.Export && !FM.ForeignForks && !FM.importsEffects())
    FM.Link = nullptr;

  // The module: its top level is the entry point.
  Frame Top(-1, /*IsModule=*/true);
  State S;
  for (Node Stmt : M.scopes()[0].Statements) {
    bool Negated = false;
    if (!ImportState && Stmt.is("if_statement") &&
        M.isMainGuard(Stmt.field("condition"), Negated))
      ImportState = S;
    walkStatement(Stmt, S, Top, 0, 0);
  }
  if (!ImportState)
    ImportState = S;
  ImportState->Dead = false;
  if (FM.Export)
    return; // summarizeModule asks for what it needs

  // Functions no code in this file calls are entered from elsewhere, after the module was
  // imported: with the threads its top level left running, and the default start method
  // unless the file sets one somewhere.
  // A function that can neither fork nor reach anything that does is not walked: its walk
  // would judge nothing and make no other function's summary (inertLeaf).
  std::vector<bool> Skipped(M.scopes().size(), false);
  bool MaySkip = !M.tree().source().contains("DataLoader");
  for (unsigned F = 1; F < M.scopes().size(); ++F) {
    if (M.scopes()[F].Kind != ScopeKind::Function || Called[F])
      continue;
    if (MaySkip && inertLeaf(F)) {
      Skipped[F] = true;
      continue;
    }
    judgeSummaryAtUnknownEntry(F);
  }
  // Functions only called from each other (cycles) and not yet reached.
  for (unsigned F = 1; F < M.scopes().size(); ++F)
    if (M.scopes()[F].Kind == ScopeKind::Function && !Summaries[F].Done && !Skipped[F])
      judgeSummaryAtUnknownEntry(F);

  // A child that needs CUDA where no initialisation in the parent was seen: reported
  // only where no path with one was.
  for (auto &[Key, H] : NoParentCuda)
    if (!ReportedCuda.count(Key))
      FM.AfterCuda.push_back(std::move(H));
  auto BySource = [&](const ForkHazard &A, const ForkHazard &B) {
    if (bool(A.Foreign) != bool(B.Foreign))
      return !A.Foreign;
    if (A.Foreign) {
      if (A.Foreign->At.File != B.Foreign->At.File)
        return A.Foreign->At.File < B.Foreign->At.File;
      return std::make_pair(A.Foreign->At.Line, A.Foreign->At.Column) <
             std::make_pair(B.Foreign->At.Line, B.Foreign->At.Column);
    }
    return M.calls()[A.Fork].Call.startByte() < M.calls()[B.Fork].Call.startByte();
  };
  std::sort(FM.AfterThreads.begin(), FM.AfterThreads.end(), BySource);
  std::sort(FM.AfterCuda.begin(), FM.AfterCuda.end(), BySource);
}

bool FlowModel::Walker::inertLeaf(unsigned F) {
  // An import runs the imported modules' top level.
  if (M.runsImports(F))
    return false;
  for (unsigned Id : CallsByRunner.lookup(F)) {
    // A same-file function: its summary must be made already (walking F would make it
    // otherwise, and the order in which summaries are made is part of the result), with
    // no fork for F's walk to judge.
    int G = localTarget(Id);
    if (G >= 0 && M.scopes()[G].Kind == ScopeKind::Function) {
      if (!Summaries[G].Done || !Summaries[G].Forks.empty())
        return false;
      continue;
    }
    const ApiEntry *E = entryOfCall(Id);
    if (E && (E->Flags & (Forks | StartsProcesses | FirstUseStarts | SetsStartMethod)))
      return false;
    // A function of another module of the project: its forks would be judged here.
    if (!E && G < 0 && FM.Link)
      if (const FunctionSummary *FS = foreignFunctionOf(Id); FS && !FS->Forks.empty())
        return false;
  }
  return true;
}

std::vector<bool> FlowModel::Walker::mayHoldEffects() {
  const size_t N = M.scopes().size();
  // DataLoader workers are forked when a loader is iterated, which no call says.
  if (M.tree().source().contains("DataLoader"))
    return std::vector<bool>(N, true);
  std::vector<bool> May(N, false);
  std::vector<std::vector<unsigned>> Callers(N);
  std::vector<unsigned> Work;
  for (unsigned F = 1; F < N; ++F) {
    if (M.scopes()[F].Kind != ScopeKind::Function)
      continue;
    bool Origin = M.runsImports(static_cast<int>(F));
    for (unsigned Id : CallsByRunner.lookup(static_cast<int>(F))) {
      if (Origin)
        break;
      const CallSite &C = M.calls()[Id];
      // Every way a walk takes a call: a function of this file by its name, as a method of
      // an instance of a class of this file, the table's entry (by the call's own name or
      // the receiver's type), CUDA, a function of another module (every walk asks only
      // for a call that names no function of this file).
      int ByName = M.calledFunction(C);
      for (int G : {ByName, localTarget(Id), localCallee(C)})
        if (G >= 0 && M.scopes()[G].Kind == ScopeKind::Function)
          Callers[G].push_back(F);
      const ApiEntry *E = entryOfCall(Id), *Named = M.apiOf(C);
      if ((E && E->Flags) || (Named && Named->Flags) || FM.initializesCuda(Id)) {
        Origin = true;
        break;
      }
      if (ByName < 0)
        if (const FunctionSummary *FS = foreignFunctionOf(Id); FS && !FS->empty())
          Origin = true;
    }
    if (Origin) {
      May[F] = true;
      Work.push_back(F);
    }
  }
  // What a function calls, its callers may reach.
  while (!Work.empty()) {
    unsigned G = Work.back();
    Work.pop_back();
    for (unsigned F : Callers[G])
      if (!May[F]) {
        May[F] = true;
        Work.push_back(F);
      }
  }
  return May;
}

void FlowModel::Walker::know(unsigned Id) {
  if (Known.empty())
    Known.resize(M.calls().size());
  CallFacts &K = Known[Id];
  if (K.Done)
    return;
  const CallSite &C = M.calls()[Id];
  K.Entry = entryOf(C);
  K.Local = M.calledFunction(C);
  Node Callee = unparenthesize(C.Callee);
  if (K.Local < 0 && Callee.is("attribute"))
    K.Local = methodOf(R.receiverTypeOf(Callee.field("object"), C.Scope).LocalClass,
                       M.text(Callee.field("attribute")));
  K.Done = true;
}

const ApiEntry *FlowModel::Walker::entryOf(const CallSite &C) const {
  std::string Name = R.calleeName(C);
  return Name.empty() ? nullptr : Api.lookupWithPrefixes(Name);
}

int FlowModel::Walker::cudaUseIn(int F, unsigned Depth) {
  if (F < 0 || Depth > MaxCallDepth)
    return -1;
  auto It = CudaUse.find(F);
  if (It != CudaUse.end())
    return It->second;
  CudaUse[F] = -1; // recursion: no use found through the cycle
  int Found = -1;
  for (unsigned Id : CallsByRunner.lookup(F)) {
    const CallSite &C = M.calls()[Id];
    if (FM.initializesCuda(Id)) {
      Found = Id;
      break;
    }
    int G = M.calledFunction(C);
    if (G >= 0 && cudaUseIn(G, Depth + 1) >= 0) {
      Found = Id;
      break;
    }
    if (G < 0 && !M.apiOf(C))
      if (const FunctionSummary *FS = foreignFunctionOf(Id); FS && FS->CudaUse) {
        ForeignCudaUse[Id] = FS->CudaUse;
        Found = Id;
        break;
      }
  }
  CudaUse[F] = Found;
  return Found;
}

const FunctionSummary *FlowModel::Walker::foreignFunctionOf(unsigned Id) {
  auto It = ForeignMemo.find(Id);
  if (It != ForeignMemo.end())
    return It->second;
  const FunctionSummary *FS = foreignFunction(M.calls()[Id]);
  ForeignMemo.try_emplace(Id, FS);
  return FS;
}

Node FlowModel::Walker::cudaObjectIn(Node Args, unsigned S) {
  Args = unparenthesize(Args);
  if (Args.isNull())
    return Node();
  llvm::SmallVector<Node, 4> Items;
  if (Args.is("tuple") || Args.is("list"))
    for (Node E : Args.codeChildren())
      Items.push_back(E);
  else if (Args.is("dictionary"))
    for (Node Pair : Args.codeChildren())
      Items.push_back(Pair.field("value"));
  else
    Items.push_back(Args);
  for (Node Item : Items) {
    Item = unparenthesize(Item);
    if (Item.is("call")) {
      auto It = CallIdOf.find(Item.id());
      if (It != CallIdOf.end() && FM.initializesCuda(It->second))
        return Item;
      continue;
    }
    if (!Item.is("identifier"))
      continue;
    llvm::StringRef Name = M.text(Item);
    const Binding *B = M.lookup(Name, S, Item.startByte());
    if (B && (B->Kind == BindingKind::Assignment || B->Kind == BindingKind::WithItem) &&
        B->Value) {
      auto It = CallIdOf.find(unparenthesize(B->Value).id());
      if (It != CallIdOf.end() && FM.initializesCuda(It->second))
        return Item;
    }
    for (unsigned Id : R.indexOf(S).ByReceiver.lookup(Name))
      if (M.calls()[Id].Call.startByte() < Item.startByte() && FM.initializesCuda(Id))
        return Item;
  }
  return Node();
}

int FlowModel::Walker::localCallable(Node Expr, unsigned S) const {
  for (unsigned Depth = 0; Depth < MaxResolveDepth; ++Depth) {
    Expr = unparenthesize(Expr);
    if (!Expr.is("call"))
      break;
    if (M.qualifiedName(Expr.field("function"), S) != "functools.partial")
      return -1;
    Expr = M.argument(Expr, Param{0, "func"});
  }
  Expr = unparenthesize(Expr);
  if (Expr.is("lambda")) {
    auto It = ScopeOfDefinition.find(Expr.id());
    return It == ScopeOfDefinition.end() ? -1 : static_cast<int>(It->second);
  }
  if (Expr.is("identifier")) {
    const Binding *B = M.lookup(M.text(Expr), S, Expr.startByte());
    return B && B->Kind == BindingKind::Function ? B->DefinedScope : -1;
  }
  if (Expr.is("attribute")) {
    Node Obj = unparenthesize(Expr.field("object"));
    if (!Obj.is("identifier") || M.text(Obj) != "self")
      return -1;
    int Fn = M.enclosingFunction(S);
    if (Fn < 0 || M.scopes()[Fn].Parent < 0)
      return -1;
    return methodOf(M.scopes()[Fn].Parent, M.text(Expr.field("attribute")));
  }
  return -1;
}

Node FlowModel::Walker::constructorOf(Node Expr, unsigned S) const {
  Expr = unparenthesize(Expr);
  if (Expr.is("call"))
    return Expr;
  if (!Expr.is("identifier"))
    return Node();
  const Binding *B = M.lookup(M.text(Expr), S, Expr.startByte());
  if (!B || (B->Kind != BindingKind::Assignment && B->Kind != BindingKind::WithItem) || !B->Value)
    return Node();
  Node V = unparenthesize(B->Value);
  return V.is("call") ? V : Node();
}

void FlowModel::Walker::childCuda(const CallSite &C, const ApiEntry &E, PendingFork &P) {
  llvm::SmallVector<std::pair<Node, unsigned>, 4> Targets; // callable expressions
  bool Unresolved = false;
  if (E.Flags & Forks) {
    P.ChildMayUseCuda = !R.indexOf(C.Scope).Execs;
    return;
  }
  Node Callee = unparenthesize(C.Callee);
  if ((E.Returns && startsWith(E.Returns, "multiprocessing.managers.")) ||
      startsWith(E.Name, "multiprocessing.managers.")) {
    P.ChildMayUseCuda = false; // a manager's server process runs no user code
    return;
  }
  if (E.Callable.present() && !E.Returns) {
    // torch.multiprocessing.spawn(fn, ...)
    Node Fn = M.argument(C.Call, E.Callable);
    if (Fn)
      Targets.push_back({Fn, C.Scope});
    else
      Unresolved = true;
  } else if (Callee.is("attribute") && M.text(Callee.field("attribute")) == "start") {
    // p.start(): the target given to the Process, or run() of a Process subclass.
    Node Obj = Callee.field("object");
    Node Ctor = constructorOf(Obj, C.Scope);
    int Cls = R.receiverTypeOf(Obj, C.Scope).LocalClass;
    if (Cls >= 0 && methodOf(Cls, "run") >= 0) {
      int Run = methodOf(Cls, "run");
      int Use = cudaUseIn(Run);
      if (Use >= 0) {
        P.ChildCudaUse = Use;
        P.ChildCudaForeign = ForeignCudaUse.lookup(Use);
        P.ChildMayUseCuda = true;
      } else {
        P.ChildMayUseCuda = false;
      }
      return;
    }
    Node Target = Ctor ? M.argument(Ctor, Param{1, "target"}) : Node();
    if (Target)
      Targets.push_back({Target, C.Scope});
    else
      Unresolved = true;
    // A model or tensor the parent put on the GPU, handed to the child, is used there.
    if (Ctor)
      for (const Param &A : {Param{3, "args"}, Param{4, "kwargs"}})
        if (Node Found = cudaObjectIn(M.argument(Ctor, A), C.Scope)) {
          P.ChildCudaArgument = Found;
          break;
        }
  } else if (E.Returns) {
    // A pool or an executor: its initializer and the work given to it in this function.
    if (E.Initializer.present())
      if (Node Init = M.argument(C.Call, E.Initializer))
        Targets.push_back({Init, C.Scope});
    std::string Key = resultKeyOf(C.Call, C.Scope);
    bool AnyWork = false;
    if (!Key.empty())
      for (unsigned Id : R.indexOf(C.Scope).ByReceiver.lookup(Key)) {
        const CallSite &W = M.calls()[Id];
        const ApiEntry *WE = M.apiOf(W);
        if (!WE || !(WE->Flags & PicklesCallable) || !WE->Callable.present())
          continue;
        AnyWork = true;
        if (Node Fn = M.argument(W.Call, WE->Callable))
          Targets.push_back({Fn, W.Scope});
        else
          Unresolved = true;
      }
    if (!AnyWork)
      Unresolved = true;
  } else {
    Unresolved = true;
  }
  for (auto &T : Targets) {
    int F = localCallable(T.first, T.second);
    if (F < 0) {
      // A target defined in another module of the project: its summary says.
      if (const FunctionSummary *FS = foreignCallable(T.first, T.second)) {
        if (FS->CudaUse && P.ChildCudaUse < 0 && !P.ChildCudaForeign)
          P.ChildCudaForeign = FS->CudaUse;
        continue;
      }
      Unresolved = true;
      continue;
    }
    int Use = cudaUseIn(F);
    if (Use >= 0 && P.ChildCudaUse < 0 && !P.ChildCudaForeign) {
      P.ChildCudaUse = Use;
      P.ChildCudaForeign = ForeignCudaUse.lookup(Use);
    }
  }
  P.ChildMayUseCuda =
      Unresolved || P.ChildCudaUse >= 0 || P.ChildCudaArgument || P.ChildCudaForeign;
}

std::string FlowModel::Walker::forkKey(const PendingFork &P) {
  if (P.Foreign)
    return P.Foreign->At.File + ":" + std::to_string(P.Foreign->At.Line) + ":" +
           std::to_string(P.Foreign->At.Column);
  return "#" + std::to_string(P.Fork);
}

void FlowModel::Walker::judge(const PendingFork &P, bool Entry, bool MethodKnownAtEntry) {
  if (FM.Export)
    return;
  bool IsFork = P.OsFork || P.Method == "fork";
  bool ByDefault = false;
  if (!IsFork && P.Method.empty() && Entry && MethodKnownAtEntry && DefaultIsFork) {
    IsFork = true;
    ByDefault = true;
  }
  if (!IsFork)
    return;
  auto Make = [&](const FlowEvent &Cause) {
    ForkHazard H;
    H.Fork = P.Fork;
    H.OsFork = P.OsFork;
    H.DefaultMethod = ByDefault;
    H.Chain = P.Chain;
    H.Cause = Cause;
    H.ChildCudaUse = P.ChildCudaUse;
    H.ChildCudaArgument = P.ChildCudaArgument;
    H.ChildCudaForeign = P.ChildCudaForeign;
    H.Foreign = P.Foreign;
    H.DataLoader = P.DataLoader || (P.Foreign && P.Foreign->DataLoader);
    return H;
  };
  std::string Key = forkKey(P);
  if (!ReportedThreads.count(Key)) {
    for (const ThreadFact &T : P.Threads) {
      // One root cause, one warning: what initialises CUDA is cuda-before-fork's.
      if (!T.Event.Foreign && FM.initializesCuda(T.Event.Call))
        continue;
      ReportedThreads.insert(Key);
      FM.AfterThreads.push_back(Make(T.Event));
      break;
    }
  }
  if (P.Cuda && P.ChildMayUseCuda && !ReportedCuda.count(Key)) {
    ReportedCuda.insert(Key);
    FM.AfterCuda.push_back(Make(*P.Cuda));
  } else if (!P.Cuda && !P.OsFork &&
             (P.ChildCudaUse >= 0 || P.ChildCudaForeign || P.ChildCudaArgument) &&
             !NoParentCuda.count(Key)) {
    // PyTorch requires spawn or forkserver for CUDA in children: the child fails as soon
    // as anything in the parent (an imported library too) has touched CUDA.
    ForkHazard H = Make(FlowEvent());
    H.NoParentCuda = true;
    NoParentCuda.emplace(Key, std::move(H));
  }
}

void FlowModel::Walker::judgeSummaryAtUnknownEntry(unsigned F) {
  const Summary &Sum = summaryOf(F, 0);
  const State &In = *ImportState;
  for (const PendingFork &P : Sum.Forks) {
    PendingFork Q = P;
    for (const ThreadFact &T : In.Threads)
      if (!hasKey(T, P.Joined))
        addThread(Q.Threads, T);
    if (!Q.Cuda)
      Q.Cuda = In.Cuda;
    if (Q.Method.empty() && !In.Method.empty()) {
      if (In.Method != "fork")
        continue;
      Q.Method = In.Method;
    }
    judge(Q, /*Entry=*/true, /*MethodKnownAtEntry=*/!FileSetsStartMethod);
  }
}

void FlowModel::Walker::walkBlock(Node Block, State &S, Frame &Fr, unsigned Depth, unsigned CallDepth) {
  if (Depth > MaxBlockDepth)
    return;
  for (Node Stmt : Block.codeChildren()) {
    if (S.Dead)
      return;
    walkStatement(Stmt, S, Fr, Depth + 1, CallDepth);
  }
}

void FlowModel::Walker::walkStatement(Node N, State &S, Frame &Fr, unsigned Depth, unsigned CallDepth) {
  llvm::StringRef T = N.type();
  if (T == "import_statement" || T == "import_from_statement") {
    importModules(N, S, Fr);
    return;
  }
  if (T == "if_statement") {
    callsOf(N, S, Fr, CallDepth);
    std::vector<State> Arms;
    Arms.push_back(S);
    walkBlock(N.field("consequence"), Arms.back(), Fr, Depth, CallDepth);
    bool HasElse = false;
    for (Node C : N.codeChildren()) {
      Node Body;
      if (C.is("elif_clause"))
        Body = C.field("consequence");
      else if (C.is("else_clause")) {
        Body = C.field("body");
        HasElse = true;
      } else
        continue;
      Arms.push_back(S);
      walkBlock(Body, Arms.back(), Fr, Depth, CallDepth);
    }
    if (!HasElse)
      Arms.push_back(S);
    S = mergeAll(S, Arms);
    return;
  }
  if (T == "for_statement" || T == "while_statement") {
    callsOf(N, S, Fr, CallDepth);
    if (T == "for_statement")
      dataLoaderLoop(N, S, Fr);
    State In = S;
    LoopExits.emplace_back();
    State Body = S;
    walkBlock(N.field("body"), Body, Fr, Depth, CallDepth);
    std::vector<State> Arms{In, Body};
    for (State &X : LoopExits.back())
      Arms.push_back(X);
    State Out = mergeAll(In, Arms);
    bool Grew =
        Out.Threads.size() != In.Threads.size() || Out.Cuda.has_value() != In.Cuda.has_value();
    if (Grew && Rewalks < 2) {
      ++Rewalks;
      // What one iteration starts runs during the next: walk the body once more.
      LoopExits.back().clear();
      State Again = Out;
      Again.Dead = false;
      walkBlock(N.field("body"), Again, Fr, Depth, CallDepth);
      Arms = {In, Again};
      for (State &X : LoopExits.back())
        Arms.push_back(X);
      Out = mergeAll(In, Arms);
      --Rewalks;
    }
    LoopExits.pop_back();
    Out.Dead = false; // a loop is left normally (the condition fails or it breaks)
    S = Out;
    for (Node C : N.codeChildren())
      if (C.is("else_clause"))
        walkBlock(C.field("body"), S, Fr, Depth, CallDepth);
    return;
  }
  if (T == "try_statement") {
    State Body = S;
    Node Else, Finally;
    walkBlock(N.field("body"), Body, Fr, Depth, CallDepth);
    std::vector<State> Outs;
    // A handler runs after any part of the body: from either end of it.
    State HandlerIn = mergeAll(S, {S, Body});
    HandlerIn.Dead = false;
    for (Node C : N.codeChildren()) {
      if (C.is("except_clause") || C.is("except_group_clause")) {
        Outs.push_back(HandlerIn);
        for (Node B : C.codeChildren())
          if (B.is("block"))
            walkBlock(B, Outs.back(), Fr, Depth, CallDepth);
      } else if (C.is("else_clause")) {
        Else = C.field("body");
      } else if (C.is("finally_clause")) {
        for (Node B : C.codeChildren())
          if (B.is("block"))
            Finally = B;
      }
    }
    if (Else)
      walkBlock(Else, Body, Fr, Depth, CallDepth);
    Outs.push_back(Body);
    S = mergeAll(S, Outs);
    if (Finally) {
      bool WasDead = S.Dead;
      S.Dead = false;
      walkBlock(Finally, S, Fr, Depth, CallDepth);
      S.Dead = S.Dead || WasDead;
    }
    return;
  }
  if (T == "with_statement") {
    callsOf(N, S, Fr, CallDepth);
    walkBlock(N.field("body"), S, Fr, Depth, CallDepth);
    // Leaving the block shuts pools and executors down (joining their threads).
    for (Node Clause : N.codeChildren()) {
      if (!Clause.is("with_clause"))
        continue;
      for (Node Item : Clause.codeChildren()) {
        Node V = Item.field("value");
        if (V.is("as_pattern")) {
          for (Node A : V.field("alias").codeChildren())
            if (A.is("identifier"))
              join(M.text(A), S);
          auto Kids = V.codeChildren();
          if (!Kids.empty())
            V = Kids.front();
        }
        std::string K = keyOf(V, scopeOf(N, Fr));
        if (!K.empty())
          join(K, S);
      }
    }
    return;
  }
  if (T == "match_statement") {
    callsOf(N, S, Fr, CallDepth);
    std::vector<State> Arms;
    for (Node C : N.codeChildren()) {
      if (!C.is("block"))
        continue;
      for (Node Case : C.codeChildren()) {
        Arms.push_back(S);
        for (Node B : Case.codeChildren())
          if (B.is("block"))
            walkBlock(B, Arms.back(), Fr, Depth, CallDepth);
      }
    }
    Arms.push_back(S); // no case matched
    S = mergeAll(S, Arms);
    return;
  }
  if (T == "decorated_definition") {
    callsOf(N, S, Fr, CallDepth);
    if (Node D = N.field("definition"))
      walkStatement(D, S, Fr, Depth, CallDepth);
    return;
  }
  if (T == "function_definition") {
    callsOf(N, S, Fr, CallDepth); // default values; the body runs when called
    return;
  }
  if (T == "class_definition") {
    callsOf(N, S, Fr, CallDepth);
    walkBlock(N.field("body"), S, Fr, Depth, CallDepth); // runs where it is defined
    return;
  }
  callsOf(N, S, Fr, CallDepth);
  if (T == "return_statement") {
    auto Value = N.codeChildren();
    if (!Value.empty()) {
      std::string K = keyOf(Value.front(), scopeOf(N, Fr));
      if (!K.empty())
        addJoined(Fr.Returned, K);
    }
    Fr.ReturnStates.push_back(S);
    S.Dead = true;
  } else if (T == "raise_statement") {
    S.Dead = true;
  } else if (T == "break_statement" || T == "continue_statement") {
    if (!LoopExits.empty())
      LoopExits.back().push_back(S);
    S.Dead = true;
  } else if (T == "expression_statement") {
    auto Kids = N.codeChildren();
    if (Kids.size() == 1 && unparenthesize(Kids.front()).is("call")) {
      Node Call = unparenthesize(Kids.front());
      std::string Q = M.qualifiedName(Call.field("function"), scopeOf(N, Fr));
      if (Q == "sys.exit" || Q == "os._exit" || Q == "os.abort")
        S.Dead = true;
    }
  }
}

unsigned FlowModel::Walker::scopeOf(Node Stmt, const Frame &Fr) const {
  auto It = CallsByStatement.find(Stmt.id());
  if (It != CallsByStatement.end() && !It->second.empty())
    return M.calls()[It->second.front()].Scope;
  return Fr.Runner < 0 ? 0 : Fr.Runner;
}

State FlowModel::Walker::mergeAll(const State &In, const std::vector<State> &Arms) {
  std::vector<const State *> Ptrs;
  for (const State &A : Arms)
    Ptrs.push_back(&A);
  return merge(In, Ptrs);
}

void FlowModel::Walker::callsOf(Node Stmt, State &S, Frame &Fr, unsigned CallDepth) {
  auto It = CallsByStatement.find(Stmt.id());
  if (It == CallsByStatement.end())
    return;
  // Copy: summarising a callee may not touch this map, but keep the loop independent.
  llvm::SmallVector<unsigned, 4> Ids = It->second;
  for (unsigned Id : Ids)
    if (M.calls()[Id].Runner == Fr.Runner)
      call(Id, S, Fr, CallDepth);
}

void FlowModel::Walker::join(llvm::StringRef Key, State &S) {
  if (Key.empty())
    return;
  std::vector<std::string> One{Key.str()};
  S.Threads.erase(std::remove_if(S.Threads.begin(), S.Threads.end(),
                                 [&](const ThreadFact &T) { return hasKey(T, One); }),
                  S.Threads.end());
  addJoined(S.Joined, Key);
}

void FlowModel::Walker::call(unsigned Id, State &S, Frame &Fr, unsigned CallDepth) {
  const CallSite &C = M.calls()[Id];
  int F = M.calledFunction(C);
  std::string SelfKey;
  Node Callee0 = unparenthesize(C.Callee);
  if (F >= 0 && M.scopes()[F].Name == "__init__" && !Callee0.is("attribute")) {
    SelfKey = resultKeyOf(C.Call, C.Scope); // Server(): __init__'s self is the result
  } else if (Callee0.is("attribute")) {
    // obj.method() on an instance of a class defined here: its self is obj.
    F = localTarget(Id);
    if (F >= 0)
      SelfKey = keyOf(Callee0.field("object"), C.Scope);
  }
  if (F >= 0 && M.scopes()[F].Kind == ScopeKind::Function) {
    if (CallDepth < MaxCallDepth)
      applySummary(F, Id, SelfKey, S, Fr, CallDepth);
    return;
  }
  std::string Name = calleeName(C);
  const ApiEntry *E = entryOfCall(Id);
  unsigned Flags = E ? E->Flags : 0;
  Node Callee = unparenthesize(C.Callee);
  llvm::StringRef Method = Callee.is("attribute") ? M.text(Callee.field("attribute")) : "";
  if (!E && F < 0)
    if (const FunctionSummary *FS = foreignFunctionOf(Id)) {
      applyForeign(*FS, Id, stepAt(C.Call, "'" + calledName(C) + "' called here"), S, Fr);
      return;
    }

  if (Flags & SetsStartMethod) {
    // A second set after one in another module on this path raises "context has
    // already been set" (a second one in this file is the rule's own syntactic check).
    if (S.ForeignMethodSet && !forcesStartMethod(C) && SecondSetReported.insert(Id).second &&
        !FM.Export)
      FM.SecondSets.push_back({Id, S.ForeignMethodSet});
    Node Arg = M.argument(C.Call, E->StartMethod);
    auto V = Arg ? M.stringValue(Arg, C.Scope) : std::nullopt;
    S.Method = V ? *V : "?";
    if (Arg && unparenthesize(Arg).is("none"))
      S.Method = "?";
  }
  if (Flags & StartsThreads) {
    ThreadFact T;
    T.Event.Call = Id;
    std::string Key;
    if (E->Returns) {
      // Pools start their threads when made.
      T.Event.Kind = FlowEvent::ThreadPool;
      Key = resultKeyOf(C.Call, C.Scope);
    } else if (Callee.is("attribute")) {
      Node Obj = Callee.field("object");
      Key = keyOf(Obj, C.Scope);
      llvm::StringRef Owner = llvm::StringRef(Name).rsplit('.').first;
      T.Event.Kind = Owner == types::ThreadExecutor ||
                             Owner == "concurrent.futures.thread.ThreadPoolExecutor"
                         ? FlowEvent::Executor
                     : Owner == types::Timer ? FlowEvent::Timer
                                             : FlowEvent::Thread;
    }
    if (!Key.empty()) {
      T.Keys.push_back(Key);
      // threads.append(t) before or after t.start(): joining `threads` joins t.
      for (const std::string &Collection : R.indexOf(C.Scope).AddedTo.lookup(Key))
        addJoined(T.Keys, Collection);
    }
    addThread(S.Threads, std::move(T));
  }
  if (Flags & ThreadedLibrary) {
    // Once per library on a path: the first use is where its threads start.
    std::string Lib = threadedLibraryName(Name);
    bool Known = false;
    for (const ThreadFact &T : S.Threads)
      Known |= T.Event.Kind == FlowEvent::Library &&
               threadedLibraryName(calleeName(M.calls()[T.Event.Call])) == Lib;
    if (!Known) {
      ThreadFact T;
      T.Event.Kind = FlowEvent::Library;
      T.Event.Call = Id;
      addThread(S.Threads, std::move(T));
    }
  }
  if (!S.Cuda && FM.initializesCuda(Id)) {
    FlowEvent Ev;
    Ev.Kind = FlowEvent::Cuda;
    Ev.Call = Id;
    S.Cuda = Ev;
  }
  // A ProcessPoolExecutor forks its workers at its first submit/map, not when it is made.
  if ((Flags & (Forks | StartsProcesses)) && !(Flags & StartsOnFirstUse))
    fork(Id, *E, S, Fr);
  if ((Flags & FirstUseStarts) && Callee.is("attribute")) {
    std::string Key = keyOf(Callee.field("object"), C.Scope);
    bool Used = !Key.empty() && std::find(S.UsedExecutors.begin(), S.UsedExecutors.end(), Key) !=
                                    S.UsedExecutors.end();
    if (!Used) {
      if (!Key.empty())
        S.UsedExecutors.push_back(Key);
      fork(Id, *E, S, Fr);
    }
  }

  // Joins, matched by the name the thread is held by (whatever its type is known to be).
  if (Callee.is("attribute")) {
    Node Obj = Callee.field("object");
    if (Method == "join" || Method == "terminate" || Method == "cancel" || Method == "stop") {
      join(keyOf(Obj, C.Scope), S);
    } else if (Method == "shutdown") {
      Node Wait = unparenthesize(M.argument(C.Call, Param{0, "wait"}));
      if (!(Wait && M.text(Wait) == "False"))
        join(keyOf(Obj, C.Scope), S);
    } else if (isCollectionAdd(Method)) {
      // threads.append(t): joining every element of `threads` joins t.
      std::string Collection = keyOf(Obj, C.Scope);
      Node Arg = M.argument(C.Call, Param{Method == "insert" ? 1 : 0, nullptr});
      std::string Item = keyOf(Arg, C.Scope);
      if (!Collection.empty() && !Item.empty())
        for (ThreadFact &T : S.Threads)
          if (std::find(T.Keys.begin(), T.Keys.end(), Item) != T.Keys.end() &&
              std::find(T.Keys.begin(), T.Keys.end(), Collection) == T.Keys.end())
            T.Keys.push_back(Collection);
    }
  }
}

void FlowModel::Walker::dataLoaderLoop(Node For, State &S, Frame &Fr) {
  unsigned Sc = scopeOf(For, Fr);
  Node It = unparenthesize(For.field("right"));
  Node Ctor;
  auto IsLoader = [&](Node Call) {
    std::string Q = M.qualifiedName(Call.field("function"), Sc);
    return Q == "torch.utils.data.DataLoader" || Q == "torch.utils.data.dataloader.DataLoader";
  };
  for (unsigned Depth = 0; Depth < 3 && It && !Ctor; ++Depth) {
    if (It.is("identifier")) {
      Node V = constructorOf(It, Sc);
      if (V && IsLoader(V))
        Ctor = V;
      break;
    }
    if (!It.is("call"))
      break;
    if (IsLoader(It)) {
      Ctor = It;
      break;
    }
    It = unparenthesize(M.argument(It, Param{0, nullptr})); // enumerate(loader), tqdm(loader)
  }
  if (!Ctor)
    return;
  auto Id = CallIdOf.find(Ctor.id());
  Node Workers = unparenthesize(M.argument(Ctor, Param{5, "num_workers"}));
  if (Id == CallIdOf.end() || !Workers || (Workers.is("integer") && M.text(Workers) == "0"))
    return;
  std::string Method;
  if (Node Context = unparenthesize(M.argument(Ctor, Param{11, "multiprocessing_context"}))) {
    if (auto V = M.stringValue(Context, Sc))
      Method = *V;
    else
      Method = M.typeOf(Context, Sc).StartMethod;
    if (Method.empty() || Method == "?")
      return; // a context whose method is not known here
  }
  if (Method.empty())
    Method = S.Method;
  if (!Method.empty() && Method != "fork")
    return;
  PendingFork P;
  P.Fork = Id->second;
  P.OsFork = false;
  P.DataLoader = true;
  P.Method = Method;
  P.Threads = S.Threads;
  P.Joined = S.Joined;
  P.ChildMayUseCuda = false;
  judge(P, Fr.IsModule, true);
  addPending(Fr, std::move(P));
}

void FlowModel::Walker::fork(unsigned Id, const ApiEntry &E, State &S, Frame &Fr) {
  const CallSite &C = M.calls()[Id];
  PendingFork P;
  P.Fork = Id;
  P.OsFork = E.Flags & Forks;
  if (P.OsFork) {
    P.Method = "fork";
  } else {
    std::string Method = R.startMethodOf(C, E);
    if (Method.empty())
      Method = S.Method; // set_start_method earlier on this path, or still the default
    if (!Method.empty() && Method != "fork")
      return;
    P.Method = Method;
  }
  P.Threads = S.Threads;
  P.Cuda = S.Cuda;
  P.Joined = S.Joined;
  childCuda(C, E, P);
  judge(P, Fr.IsModule, true);
  addPending(Fr, std::move(P));
}

void FlowModel::Walker::addPending(Frame &Fr, PendingFork P) {
  if (Fr.IsModule)
    return;
  for (PendingFork &O : Fr.Pending)
    if (O.Fork == P.Fork && forkKey(O) == forkKey(P)) {
      // Keep what tells the most: threads or CUDA seen on one path but not the other.
      if ((O.Threads.empty() && !P.Threads.empty()) || (!O.Cuda && P.Cuda))
        O = std::move(P);
      return;
    }
  if (Fr.Pending.size() < MaxPending)
    Fr.Pending.push_back(std::move(P));
}

const Summary &FlowModel::Walker::summaryOf(unsigned F, unsigned CallDepth) {
  static const Summary Empty;
  Summary &Sum = Summaries[F];
  if (Sum.Done)
    return Sum;
  if (Sum.InProgress)
    return Empty; // recursion: the cycle adds nothing the first pass has not seen
  Sum.InProgress = true;
  Frame Fr(static_cast<int>(F), /*IsModule=*/false);
  State S;
  std::vector<std::vector<State>> SavedLoops;
  SavedLoops.swap(LoopExits);
  for (Node Stmt : M.scopes()[F].Statements) {
    if (S.Dead)
      break;
    walkStatement(Stmt, S, Fr, 0, CallDepth + 1);
  }
  SavedLoops.swap(LoopExits);
  std::vector<State> Exits = Fr.ReturnStates;
  Exits.push_back(S);
  State Out = mergeAll(State(), Exits);
  Summary &Done = Summaries[F];
  Done.ExitThreads = Out.Dead ? std::vector<ThreadFact>() : Out.Threads;
  Done.Joined = Out.Joined;
  Done.Cuda = Out.Cuda;
  Done.Method = Out.Method;
  Done.Forks = std::move(Fr.Pending);
  Done.Returned = Fr.Returned;
  Done.ForeignMethodSet = Out.ForeignMethodSet;
  Done.InProgress = false;
  Done.Done = true;
  return Done;
}

void FlowModel::Walker::applySummary(unsigned F, unsigned Id, const std::string &SelfKey, State &S, Frame &Fr,
                  unsigned CallDepth) {
  const Summary &Sum = summaryOf(F, CallDepth);
  // The callee's names for the caller's objects: self, and parameters by their arguments.
  llvm::StringMap<std::string> Names;
  if (!SelfKey.empty())
    Names["self"] = SelfKey;
  const CallSite &C = M.calls()[Id];
  Node Params = M.scopes()[F].Def.field("parameters");
  int Position = 0;
  bool Method =
      M.scopes()[F].Parent >= 0 && M.scopes()[M.scopes()[F].Parent].Kind == ScopeKind::Class;
  for (Node P : Params.codeChildren()) {
    Node Name = P.is("identifier") ? P : P.field("name");
    if (P.is("typed_parameter"))
      for (Node X : P.codeChildren())
        if (X.is("identifier")) {
          Name = X;
          break;
        }
    if (!Name.is("identifier") || P.is("list_splat_pattern") ||
        P.is("dictionary_splat_pattern") || P.is("keyword_separator"))
      break;
    if (Method && Position == 0 && M.text(Name) == "self") {
      Method = false; // self is the receiver, not an argument
      continue;
    }
    std::string Key = keyOf(M.argument(C.Call, Param{Position, nullptr}), C.Scope);
    llvm::StringRef PName = M.text(Name);
    if (Key.empty()) {
      // A keyword argument: f(thread=t).
      for (Node A : C.Call.field("arguments").codeChildren())
        if (A.is("keyword_argument") && M.text(A.field("name")) == PName)
          Key = keyOf(A.field("value"), C.Scope);
    }
    if (!Key.empty() && !Names.count(PName))
      Names[PName] = Key;
    ++Position;
  }
  // A key means something to the caller when it names the caller's object (self, a
  // parameter) or a variable of an enclosing scope (a global); the callee's locals do not,
  // and dropping them keeps the key sets of deep call trees small. "" for those.
  auto RenameKey = [&](const std::string &K) -> std::string {
    llvm::StringRef R = K;
    auto [Head, Rest] = R.split('.');
    auto It = Names.find(Head);
    if (It != Names.end())
      return R.contains('.') ? It->second + "." + Rest.str() : It->second;
    if (M.scopes()[F].Names.count(Head))
      return "";
    for (int Outer = M.scopes()[F].Parent; Outer >= 0; Outer = M.scopes()[Outer].Parent)
      if (M.scopes()[Outer].Names.count(Head))
        return K;
    return "";
  };
  auto Rename = [&](ThreadFact T) {
    T.Event.Chain = prefixed(Id, T.Event.Chain);
    llvm::SmallVector<std::string, 2> Keys;
    for (const std::string &K : T.Keys) {
      std::string Visible = RenameKey(K);
      if (!Visible.empty())
        addJoined(Keys, Visible);
    }
    T.Keys = std::move(Keys);
    return T;
  };
  // Forks inside the callee see the caller's threads, less those the callee joined first.
  for (const PendingFork &P : Sum.Forks) {
    PendingFork Q = P;
    Q.Chain = prefixed(Id, P.Chain);
    Q.Threads.clear();
    for (const ThreadFact &T : P.Threads)
      addThread(Q.Threads, Rename(T));
    llvm::SmallVector<std::string, 4> JoinedHere;
    for (const std::string &K : P.Joined) {
      std::string Visible = RenameKey(K);
      if (!Visible.empty())
        addJoined(JoinedHere, Visible);
    }
    for (const ThreadFact &T : S.Threads)
      if (!hasKey(T, JoinedHere))
        addThread(Q.Threads, T);
    if (P.Cuda) {
      Q.Cuda = *P.Cuda;
      Q.Cuda->Chain = prefixed(Id, P.Cuda->Chain);
    } else {
      Q.Cuda = S.Cuda;
    }
    if (Q.Method.empty())
      Q.Method = S.Method;
    if (!Q.Method.empty() && Q.Method != "fork")
      continue;
    Q.Joined = S.Joined;
    for (const std::string &K : JoinedHere)
      addJoined(Q.Joined, K);
    judge(Q, Fr.IsModule, true);
    addPending(Fr, std::move(Q));
  }
  // Then what the callee leaves behind.
  if (!Sum.Joined.empty()) {
    llvm::SmallVector<std::string, 4> Joined;
    for (const std::string &K : Sum.Joined) {
      std::string Visible = RenameKey(K);
      if (!Visible.empty())
        addJoined(Joined, Visible);
    }
    S.Threads.erase(std::remove_if(S.Threads.begin(), S.Threads.end(),
                                   [&](const ThreadFact &T) { return hasKey(T, Joined); }),
                    S.Threads.end());
    for (const std::string &K : Joined)
      addJoined(S.Joined, K);
  }
  // t = start_worker(): what the callee returns, the caller holds.
  std::string ResultKey = resultKeyOf(C.Call, C.Scope);
  for (const ThreadFact &T : Sum.ExitThreads) {
    ThreadFact R = Rename(T);
    if (!ResultKey.empty() && hasKey(T, Sum.Returned))
      R.Keys.push_back(ResultKey);
    addThread(S.Threads, std::move(R));
  }
  if (!S.Cuda && Sum.Cuda) {
    S.Cuda = *Sum.Cuda;
    S.Cuda->Chain = prefixed(Id, Sum.Cuda->Chain);
  }
  if (!Sum.Method.empty())
    S.Method = Sum.Method;
  if (Sum.ForeignMethodSet && !S.ForeignMethodSet)
    S.ForeignMethodSet = Sum.ForeignMethodSet;
}

} // namespace python
} // namespace forksafe
