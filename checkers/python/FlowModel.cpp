//===--- FlowModel.cpp ----------------------------------------------------===//
#include "python/FlowModel.h"

#include "python/Project.h"
#include "python/Rule.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>

namespace forksafe {
namespace python {

namespace {

// Bounds that keep the walk linear on adversarial input; real code stays far below them.
constexpr unsigned MaxBlockDepth = 100; // nested compound statements followed
constexpr unsigned MaxCallDepth = 48;   // nested same-file calls summarised
constexpr unsigned MaxFacts = 16;       // threads remembered per state
constexpr unsigned MaxPending = 32;     // forks a summary hands to its callers
constexpr unsigned MaxResolveDepth = 8; // alias chains followed for keys and devices

Node parentOf(Node N) { return N ? Node(ts_node_parent(N.raw())) : Node(); }

bool startsWith(llvm::StringRef S, llvm::StringRef Prefix) {
  return S.size() >= Prefix.size() && S.substr(0, Prefix.size()) == Prefix;
}

/// A thread that may run, and the names it can be joined by: the variable or attribute it
/// is held in, and collections it was appended to.
struct ThreadFact {
  FlowEvent Event;
  llvm::SmallVector<std::string, 2> Keys;
  bool sameAs(const ThreadFact &O) const {
    if (bool(Event.Foreign) != bool(O.Event.Foreign) || Event.Chain != O.Event.Chain)
      return false;
    if (Event.Foreign)
      return Event.Foreign == O.Event.Foreign || Event.Foreign->Notes == O.Event.Foreign->Notes;
    return Event.Call == O.Event.Call;
  }
};

struct State {
  std::vector<ThreadFact> Threads;
  std::optional<FlowEvent> Cuda;
  /// Start method set since the entry of the function: "" none, "?" unknown.
  std::string Method;
  /// Keys joined since the entry of the function (they end threads of the caller too).
  llvm::SmallVector<std::string, 4> Joined;
  /// Process executors whose workers have started (their first submit/map ran).
  llvm::SmallVector<std::string, 2> UsedExecutors;
  /// set_start_method() run in another module on this path (its story), or by this file.
  EffectRef ForeignMethodSet;
  bool LocalMethodSet = false;
  bool Dead = false; ///< the path ended (return, raise, break, continue, exit)
};

/// A fork whose verdict may depend on what the callers did before calling.
struct PendingFork {
  unsigned Fork = 0;
  bool OsFork = false;
  std::string Method; ///< "fork", or "" when the default start method applies
  llvm::SmallVector<unsigned, 2> Chain;
  std::vector<ThreadFact> Threads;
  std::optional<FlowEvent> Cuda;
  llvm::SmallVector<std::string, 4> Joined;
  bool ChildMayUseCuda = true;
  int ChildCudaUse = -1;
  Node ChildCudaArgument;
  EffectRef ChildCudaForeign;
  ForkRef Foreign; ///< the fork is in another module; Fork is the call that leads to it
  bool DataLoader = false; ///< DataLoader workers, started when the loader is iterated
};

struct Summary {
  bool Done = false, InProgress = false;
  std::vector<ThreadFact> ExitThreads;
  llvm::SmallVector<std::string, 4> Joined;
  std::optional<FlowEvent> Cuda;
  std::string Method;
  std::vector<PendingFork> Forks;
  llvm::SmallVector<std::string, 2> Returned; ///< keys of `return t`: the caller's result
  EffectRef ForeignMethodSet;
};

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

} // namespace

/// Name and value resolution the walk needs beyond the semantic model (with caches).
struct FlowModel::Resolver {
  Resolver(const SemanticModel &M, bool ImportsTorch)
      : M(M), Api(M.api()), ImportsTorch(ImportsTorch) {}
  const SemanticModel &M;
  const ApiTable &Api;
  bool ImportsTorch;
  mutable llvm::DenseMap<int, llvm::StringMap<std::vector<std::pair<Node, unsigned>>>>
      AttributeValues;

  /// What the walk asks about the calls of one scope, found in one pass over them (asking
  /// each time would be quadratic in long functions).
  struct ScopeIndex {
    bool Execs = false; ///< calls os.exec* (a fork here is a hand-written spawn)
    /// Method calls by the key of their receiver: `pool.map(...)` under "pool".
    llvm::StringMap<llvm::SmallVector<unsigned, 2>> ByReceiver;
    /// `threads.append(t)`: "t" -> ["threads"].
    llvm::StringMap<llvm::SmallVector<std::string, 1>> AddedTo;
  };
  mutable llvm::DenseMap<unsigned, std::unique_ptr<ScopeIndex>> Indexes;

  const ScopeIndex &indexOf(unsigned S) const {
    if (auto It = Indexes.find(S); It != Indexes.end())
      return *It->second;
    auto Index = std::make_unique<ScopeIndex>();
    for (unsigned Id : M.scopes()[S].Calls) {
      const CallSite &C = M.calls()[Id];
      Node Callee = unparenthesize(C.Callee);
      if (isExecName(M.qualifiedName(Callee, S)))
        Index->Execs = true;
      if (!Callee.is("attribute"))
        continue;
      std::string Receiver = keyOf(Callee.field("object"), S);
      if (Receiver.empty())
        continue;
      Index->ByReceiver[Receiver].push_back(Id);
      llvm::StringRef Method = M.text(Callee.field("attribute"));
      if (isCollectionAdd(Method)) {
        Node Arg = M.argument(C.Call, Param{Method == "insert" ? 1 : 0, nullptr});
        std::string Item = keyOf(Arg, S);
        if (!Item.empty())
          Index->AddedTo[Item].push_back(Receiver);
      }
    }
    return *Indexes.try_emplace(S, std::move(Index)).first->second;
  }

  std::string calleeName(const CallSite &C) const {
    std::string Name = M.calleeName(C);
    if (!Name.empty())
      return Name;
    Node Callee = unparenthesize(C.Callee);
    if (!Callee.is("attribute"))
      return "";
    Node Obj = unparenthesize(Callee.field("object"));
    std::string Type = elementTypeOf(Obj, C.Scope);
    if (Type.empty())
      Type = selfTypeOf(Obj, C.Scope);
    if (Type.empty())
      Type = selfAttributeTypeOf(Obj, C.Scope);
    if (Type.empty())
      Type = receiverTypeOf(Obj, C.Scope).Type;
    return Type.empty() ? "" : Type + "." + M.text(Callee.field("attribute")).str();
  }

  /// The model's type of a receiver; where it gives none because the name is bound more than
  /// once in its scope (`p = Process(...)` here, `for p in procs` below), the type of the
  /// binding in effect where it is used: the walk follows statements in order.
  ReceiverType receiverTypeOf(Node Obj, unsigned S) const {
    ReceiverType R = M.typeOf(Obj, S);
    Obj = unparenthesize(Obj);
    if (R.known() || !Obj.is("identifier"))
      return R;
    const Binding *B = M.lookup(M.text(Obj), S, Obj.startByte());
    if (!B || (B->Kind != BindingKind::Assignment && B->Kind != BindingKind::WithItem) ||
        !B->Value || !unparenthesize(B->Value).is("call"))
      return R;
    int Holder = S;
    while (Holder >= 0 && !M.scopes()[Holder].Names.count(M.text(Obj)))
      Holder = M.scopes()[Holder].Parent;
    return M.typeOf(B->Value, Holder < 0 ? S : Holder);
  }

  /// `self` inside a method of a class defined here whose base is a known library class
  /// (class Worker(threading.Thread)): that class.
  std::string selfTypeOf(Node Obj, unsigned S) const {
    if (!Obj.is("identifier") || M.text(Obj) != "self")
      return "";
    int Cls = M.classOfSelf(S);
    if (Cls < 0)
      return "";
    for (Node Base : M.scopes()[Cls].Bases.codeChildren()) {
      if (Base.is("keyword_argument"))
        continue;
      std::string Q = M.qualifiedName(Base, M.scopes()[Cls].Parent);
      if (Q.empty())
        continue;
      const ApiEntry *E = Api.lookup(Q);
      return E && E->Returns ? E->Returns : Q;
    }
    return "";
  }

  /// `self.x` in a method, where every `self.x = value` in the class's methods makes the
  /// same known type: that type.
  std::string selfAttributeTypeOf(Node Obj, unsigned S) const {
    if (!Obj.is("attribute"))
      return "";
    Node Self = unparenthesize(Obj.field("object"));
    if (!Self.is("identifier") || M.text(Self) != "self")
      return "";
    int Cls = M.classOfSelf(S);
    if (Cls < 0)
      return "";
    auto Found = AttributeValues.find(Cls);
    if (Found == AttributeValues.end())
      Found = AttributeValues.try_emplace(Cls, attributeValues(Cls)).first;
    auto It = Found->second.find(M.text(Obj.field("attribute")));
    if (It == Found->second.end())
      return "";
    std::string Type;
    for (const auto &V : It->second) {
      ReceiverType R = M.typeOf(V.first, V.second);
      if (R.Type.empty() || (!Type.empty() && R.Type != Type))
        return "";
      Type = R.Type;
    }
    return Type;
  }

  /// `self.x = value` in the methods of class Cls: x -> (value, scope of the method).
  llvm::StringMap<std::vector<std::pair<Node, unsigned>>> attributeValues(int Cls) const {
    llvm::StringMap<std::vector<std::pair<Node, unsigned>>> Out;
    for (unsigned F = 0; F < M.scopes().size(); ++F) {
      if (M.scopes()[F].Parent != Cls || M.scopes()[F].Kind != ScopeKind::Function)
        continue;
      // Iterative walk of the method body, not into nested definitions.
      llvm::SmallVector<Node, 32> Work;
      for (Node St : M.scopes()[F].Statements)
        Work.push_back(St);
      while (!Work.empty()) {
        Node N = Work.pop_back_val();
        if (N.is("function_definition") || N.is("class_definition") || N.is("lambda"))
          continue;
        if (N.is("assignment")) {
          Node L = unparenthesize(N.field("left"));
          Node V = N.field("right");
          if (L.is("attribute") && V && !V.is("assignment")) {
            Node O = unparenthesize(L.field("object"));
            if (O.is("identifier") && M.text(O) == "self")
              Out[M.text(L.field("attribute"))].push_back({V, F});
          }
        }
        for (Node C : N.namedChildren())
          Work.push_back(C);
      }
    }
    return Out;
  }

  /// The loop variable of `for t in threads` where `threads` holds objects of one known type
  /// (a list display, a comprehension, or appends in the same scope): that type.
  std::string elementTypeOf(Node Obj, unsigned S) const { return elementOf(Obj, S).Type; }

  /// The same, with the start method the elements were made with.
  ReceiverType elementOf(Node Obj, unsigned S) const {
    Node Iterable = loopIterable(Obj, S);
    if (!Iterable)
      return {};
    Iterable = unparenthesize(Iterable);
    llvm::SmallVector<Node, 4> Elements;
    unsigned Holder = S;
    if (Iterable.is("identifier")) {
      const Binding *B = M.lookup(M.text(Iterable), S, Iterable.startByte());
      if (!B || B->Kind != BindingKind::Assignment || !B->Value)
        return {};
      Iterable = unparenthesize(B->Value);
      if (Iterable.is("list") && Iterable.codeChildren().empty()) {
        // threads = [] ... threads.append(Thread(...))
        llvm::StringRef Name = M.text(B->NameNode);
        for (unsigned Id : indexOf(S).ByReceiver.lookup(Name)) {
          Node Callee = unparenthesize(M.calls()[Id].Callee);
          if (M.text(Callee.field("attribute")) != "append")
            continue;
          Node Arg = M.argument(M.calls()[Id].Call, Param{0, nullptr});
          if (Arg)
            Elements.push_back(Arg);
        }
      }
    }
    if (Iterable.is("list_comprehension") || Iterable.is("generator_expression"))
      Elements.push_back(Iterable.field("body"));
    else if (Iterable.is("list") || Iterable.is("tuple"))
      for (Node E : Iterable.codeChildren())
        Elements.push_back(E);
    ReceiverType Out;
    for (Node E : Elements) {
      ReceiverType R = M.typeOf(E, Holder);
      if (R.Type.empty() || (!Out.Type.empty() && R.Type != Out.Type))
        return {};
      if (!Out.Type.empty() && R.StartMethod != Out.StartMethod)
        R.StartMethod = "?";
      Out = R;
    }
    return Out;
  }

  /// For the loop variable `t` of `for t in X` (or a comprehension's), X.
  Node loopIterable(Node Obj, unsigned S) const {
    if (!Obj.is("identifier"))
      return Node();
    const Binding *B = M.lookup(M.text(Obj), S, Obj.startByte());
    if (!B || B->Kind != BindingKind::Other)
      return Node();
    Node P = parentOf(B->NameNode);
    if ((P.is("for_statement") || P.is("for_in_clause")) && P.field("left") == B->NameNode)
      return P.field("right");
    return Node();
  }

  /// The name a thread, pool or executor is held by, for matching joins: `t`, `self._t`;
  /// the loop variable of `for t in threads` is `threads`. "" for an anonymous object.
  std::string keyOf(Node Expr, unsigned S, unsigned Depth = 0) const {
    Expr = unparenthesize(Expr);
    if (Depth > MaxResolveDepth)
      return "";
    if (Expr.is("subscript"))
      return keyOf(Expr.field("value"), S, Depth + 1);
    if (Expr.is("identifier")) {
      if (Node It = loopIterable(Expr, S))
        return keyOf(It, S, Depth + 1);
      return M.text(Expr).str();
    }
    if (Expr.is("attribute")) {
      for (Node Cur = Expr; !Cur.is("identifier"); Cur = unparenthesize(Cur.field("object")))
        if (!Cur.is("attribute"))
          return "";
      std::string Out;
      for (char Ch : M.text(Expr))
        if (Ch != ' ' && Ch != '\t' && Ch != '\n' && Ch != '\r' && Ch != '\\' && Ch != '(' &&
            Ch != ')')
          Out += Ch;
      return Out;
    }
    return "";
  }

  /// The name the result of a call is stored in: `p = Pool()` or `with Pool() as p`.
  std::string resultKeyOf(Node Call, unsigned S) const {
    Node P = parentOf(Call);
    while (P.is("parenthesized_expression"))
      P = parentOf(P);
    if (P.is("assignment") && unparenthesize(P.field("right")) == Call)
      return keyOf(P.field("left"), S);
    if (P.is("as_pattern")) {
      for (Node C : P.field("alias").codeChildren())
        if (C.is("identifier"))
          return M.text(C).str();
    }
    return "";
  }

  /// The start method a process start uses, with receivers resolved as this walk knows them.
  std::string startMethodOf(const CallSite &C, const ApiEntry &E) const {
    Node Callee = unparenthesize(C.Callee);
    if (!Callee.is("attribute"))
      return M.processStartMethod(C, E);
    ReceiverType R = receiverTypeOf(Callee.field("object"), C.Scope);
    if (!R.known())
      R = elementOf(unparenthesize(Callee.field("object")), C.Scope); // for p in procs
    return M.processStartMethod(C, E, &R);
  }

  bool isCudaDevice(Node E, unsigned S, unsigned Depth = 0) const {
    E = unparenthesize(E);
    if (E.isNull() || Depth > MaxResolveDepth)
      return false;
    if (auto V = M.stringValue(E, S))
      return startsWith(*V, "cuda");
    if (E.is("conditional_expression")) {
      // `"cuda" if torch.cuda.is_available() else "cpu"`: CUDA wherever CUDA exists, which
      // is where the failure happens.
      for (Node C : E.codeChildren())
        if (isCudaDevice(C, S, Depth + 1))
          return true;
      return false;
    }
    if (E.is("call")) {
      if (M.qualifiedName(E.field("function"), S) != "torch.device")
        return false;
      return isCudaDevice(M.argument(E, Param{0, "type"}), S, Depth + 1);
    }
    if (E.is("identifier")) {
      const Binding *B = M.lookup(M.text(E), S, E.startByte());
      if (!B || B->Kind != BindingKind::Assignment || !B->Value)
        return false;
      int Holder = S;
      while (Holder >= 0 && !M.scopes()[Holder].Names.count(M.text(E)))
        Holder = M.scopes()[Holder].Parent;
      return isCudaDevice(B->Value, Holder < 0 ? S : Holder, Depth + 1);
    }
    return false;
  }

  bool initializesCuda(unsigned Id) const {
    const CallSite &C = M.calls()[Id];
    std::string Name = calleeName(C);
    if (!Name.empty()) {
      const ApiEntry *E = Api.lookupWithPrefixes(Name);
      if (E && (E->Flags & InitializesCuda))
        return true;
    }
    if (!ImportsTorch)
      return false;
    if (startsWith(Name, "torch.") &&
        isCudaDevice(M.argument(C.Call, Param{-1, "device"}), C.Scope))
      return true; // torch.zeros(3, device="cuda"), nn.Linear(..., device=dev)
    Node Callee = unparenthesize(C.Callee);
    if (!Callee.is("attribute"))
      return false;
    // A method of an object, not a function of a module (`numba.cuda` is a module).
    if (!M.qualifiedName(Callee, C.Scope).empty())
      return false;
    llvm::StringRef Method = M.text(Callee.field("attribute"));
    if (Method == "cuda")
      return true;
    if (Method == "to")
      return isCudaDevice(M.argument(C.Call, Param{0, "device"}), C.Scope);
    return false;
  }
};

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

//===----------------------------------------------------------------------===//
// The walk
//===----------------------------------------------------------------------===//

class FlowModel::Walker {
public:
  Walker(FlowModel &FM, const SemanticModel &M, const Config *Cfg)
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

  void run() {
    bool AnyFork = false;
    std::vector<bool> Called(M.scopes().size(), false);
    for (unsigned I = 0; I < M.calls().size(); ++I) {
      const CallSite &C = M.calls()[I];
      const ApiEntry *E = entryOf(C);
      if (E && (E->Flags & (Forks | StartsProcesses | FirstUseStarts)))
        AnyFork = true;
      if (E && (E->Flags & SetsStartMethod)) {
        // Setting "fork" keeps the default's verdict; any other value makes it unknown.
        Node Arg = M.argument(C.Call, E->StartMethod);
        auto V = Arg ? M.stringValue(Arg, C.Scope) : std::nullopt;
        if (!V || *V != "fork")
          FileSetsStartMethod = true;
      }
      int F = M.calledFunction(C);
      Node Callee = unparenthesize(C.Callee);
      if (F < 0 && Callee.is("attribute"))
        F = methodOf(R.receiverTypeOf(Callee.field("object"), C.Scope).LocalClass,
                     M.text(Callee.field("attribute")));
      if (F >= 0)
        Called[F] = true;
    }
    AnyFork |= M.tree().source().contains("DataLoader"); // workers forked when iterated
    if (!AnyFork && !FM.Link)
      return;

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
    for (unsigned F = 1; F < M.scopes().size(); ++F) {
      if (M.scopes()[F].Kind != ScopeKind::Function || Called[F])
        continue;
      judgeSummaryAtUnknownEntry(F);
    }
    // Functions only called from each other (cycles) and not yet reached.
    for (unsigned F = 1; F < M.scopes().size(); ++F)
      if (M.scopes()[F].Kind == ScopeKind::Function && !Summaries[F].Done)
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

private:
  /// The function being walked.
  struct Frame {
    Frame(int Runner, bool IsModule) : Runner(Runner), IsModule(IsModule) {}
    int Runner;    ///< function scope, -1 for the module's top level
    bool IsModule; ///< judged as the program's entry point
    std::vector<State> ReturnStates;
    llvm::SmallVector<std::string, 2> Returned;
    std::vector<PendingFork> Pending;
  };

  const ApiEntry *entryOf(const CallSite &C) const {
    std::string Name = R.calleeName(C);
    return Name.empty() ? nullptr : Api.lookupWithPrefixes(Name);
  }
  std::string calleeName(const CallSite &C) const { return R.calleeName(C); }
  std::string keyOf(Node E, unsigned S) const { return R.keyOf(E, S); }
  std::string resultKeyOf(Node Call, unsigned S) const { return R.resultKeyOf(Call, S); }

  /// A call in function F (or its same-file callees) that initialises CUDA; -1 if none.
  int cudaUseIn(int F, unsigned Depth = 0) {
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
        if (const FunctionSummary *FS = foreignFunction(C); FS && FS->CudaUse) {
          ForeignCudaUse[Id] = FS->CudaUse;
          Found = Id;
          break;
        }
    }
    CudaUse[F] = Found;
    return Found;
  }

  /// An element of an args tuple (or a kwargs dict's value) that is a CUDA object of the
  /// parent: made by a CUDA initialiser (`model = Net().cuda()`), or moved there
  /// (`model.cuda()`, `x.to("cuda")` in the same scope). Null if none is known.
  Node cudaObjectIn(Node Args, unsigned S) {
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

  /// The same-file function (or lambda) a callable expression names; -1 if unknown.
  int localCallable(Node Expr, unsigned S) const {
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

  int methodOf(int Cls, llvm::StringRef Name) const { return M.methodOf(Cls, Name); }

  /// The call that made the object Expr names (`p` of `p = Process(...)`), or null.
  Node constructorOf(Node Expr, unsigned S) const {
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

  /// Whether the child of this fork may use CUDA, and where it does when that is known.
  /// The child runs the process target (followed through same-file calls); a target that
  /// cannot be resolved may use CUDA. An os.fork child runs the rest of the program,
  /// unless the forking function execs (a hand-written spawn).
  void childCuda(const CallSite &C, const ApiEntry &E, PendingFork &P) {
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

  //===--- judging ---------------------------------------------------------===//

  /// Records the hazards of P as far as they are decided where it is judged. At an entry
  /// point an unset start method is the default one.
  static std::string forkKey(const PendingFork &P) {
    if (P.Foreign)
      return P.Foreign->At.File + ":" + std::to_string(P.Foreign->At.Line) + ":" +
             std::to_string(P.Foreign->At.Column);
    return "#" + std::to_string(P.Fork);
  }

  void judge(const PendingFork &P, bool Entry, bool MethodKnownAtEntry) {
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

  void judgeSummaryAtUnknownEntry(unsigned F) {
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

  //===--- statements -------------------------------------------------------===//

  void walkBlock(Node Block, State &S, Frame &Fr, unsigned Depth, unsigned CallDepth) {
    if (Depth > MaxBlockDepth)
      return;
    for (Node Stmt : Block.codeChildren()) {
      if (S.Dead)
        return;
      walkStatement(Stmt, S, Fr, Depth + 1, CallDepth);
    }
  }

  void walkStatement(Node N, State &S, Frame &Fr, unsigned Depth, unsigned CallDepth) {
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

  unsigned scopeOf(Node Stmt, const Frame &Fr) const {
    auto It = CallsByStatement.find(Stmt.id());
    if (It != CallsByStatement.end() && !It->second.empty())
      return M.calls()[It->second.front()].Scope;
    return Fr.Runner < 0 ? 0 : Fr.Runner;
  }

  State mergeAll(const State &In, const std::vector<State> &Arms) {
    std::vector<const State *> Ptrs;
    for (const State &A : Arms)
      Ptrs.push_back(&A);
    return merge(In, Ptrs);
  }

  void callsOf(Node Stmt, State &S, Frame &Fr, unsigned CallDepth) {
    auto It = CallsByStatement.find(Stmt.id());
    if (It == CallsByStatement.end())
      return;
    // Copy: summarising a callee may not touch this map, but keep the loop independent.
    llvm::SmallVector<unsigned, 4> Ids = It->second;
    for (unsigned Id : Ids)
      if (M.calls()[Id].Runner == Fr.Runner)
        call(Id, S, Fr, CallDepth);
  }

  void join(llvm::StringRef Key, State &S) {
    if (Key.empty())
      return;
    std::vector<std::string> One{Key.str()};
    S.Threads.erase(std::remove_if(S.Threads.begin(), S.Threads.end(),
                                   [&](const ThreadFact &T) { return hasKey(T, One); }),
                    S.Threads.end());
    addJoined(S.Joined, Key);
  }

  void call(unsigned Id, State &S, Frame &Fr, unsigned CallDepth) {
    const CallSite &C = M.calls()[Id];
    int F = M.calledFunction(C);
    std::string SelfKey;
    Node Callee0 = unparenthesize(C.Callee);
    if (F >= 0 && M.scopes()[F].Name == "__init__" && !Callee0.is("attribute")) {
      SelfKey = resultKeyOf(C.Call, C.Scope); // Server(): __init__'s self is the result
    } else if (Callee0.is("attribute")) {
      // obj.method() on an instance of a class defined here: its self is obj.
      Node Obj = Callee0.field("object");
      if (F < 0)
        F = methodOf(R.receiverTypeOf(Obj, C.Scope).LocalClass, M.text(Callee0.field("attribute")));
      if (F >= 0)
        SelfKey = keyOf(Obj, C.Scope);
    }
    if (F >= 0 && M.scopes()[F].Kind == ScopeKind::Function) {
      if (CallDepth < MaxCallDepth)
        applySummary(F, Id, SelfKey, S, Fr, CallDepth);
      return;
    }
    std::string Name = calleeName(C);
    const ApiEntry *E = Name.empty() ? nullptr : Api.lookupWithPrefixes(Name);
    unsigned Flags = E ? E->Flags : 0;
    Node Callee = unparenthesize(C.Callee);
    llvm::StringRef Method = Callee.is("attribute") ? M.text(Callee.field("attribute")) : "";
    if (!E && F < 0)
      if (const FunctionSummary *FS = foreignFunction(C)) {
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

  //===--- the rest of the project ------------------------------------------===//

  Step stepAt(Node N, std::string Text) const {
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

  /// How notes name what a call calls: 'setup', 'Server.__init__', 'helpers.start'.
  std::string calledName(const CallSite &C) const {
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

  /// The summary of the project function a call calls, when it is another module's.
  const FunctionSummary *foreignFunction(const CallSite &C) const {
    if (!FM.Link)
      return nullptr;
    std::string Q = linkedCallee(M, C, *FM.Link);
    return Q.empty() ? nullptr : FM.Link->function(Q);
  }
  const FunctionSummary *foreignCallable(Node Expr, unsigned S) const {
    if (!FM.Link)
      return nullptr;
    Expr = unparenthesize(Expr);
    if (!Expr.is("identifier") && !Expr.is("attribute"))
      return nullptr;
    std::string Q = linkedName(M, Expr, S, *FM.Link);
    return Q.empty() ? nullptr : FM.Link->function(Q);
  }

  static EffectRef withStep(const Step &First, const EffectRef &E) {
    if (!E)
      return E;
    auto Out = std::make_shared<Effect>(*E);
    Out->Notes.insert(Out->Notes.begin(), First);
    return Out;
  }

  bool forcesStartMethod(const CallSite &C) const {
    Node Force = unparenthesize(M.argument(C.Call, Param{1, "force"}));
    return Force && M.text(Force) == "True";
  }

  /// What calling another module's function does, at the call Id (At: its note): its
  /// forks are judged with this path's threads and CUDA, then what it leaves running.
  void applyForeign(const FunctionSummary &FS, int Id, const Step &At, State &S, Frame &Fr) {
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

  /// An import statement runs the top level of the project modules it names, in order.
  void importModules(Node N, State &S, Frame &Fr) {
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

  /// What storyTo looks for: an event at a call, its note, and the summary field that says
  /// a function of another module reaches it.
  struct Goal {
    /// Whether call Id is the event; Follow: false when the call is a library API whose
    /// own effects the table gives (it is not followed as a call).
    std::function<bool(unsigned Id, bool &Follow)> IsEvent;
    const char *Note;
    int Kind;
    EffectRef FunctionSummary::*Field;
    llvm::DenseMap<int, EffectRef> *Memo;
  };

  /// The story to the first event of G reached by calling F: the event in F, or the calls
  /// on the way through same-file functions and other modules' summaries. Null if none.
  EffectRef storyTo(int F, const Goal &G, unsigned Depth = 0) {
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

  /// A process start reached by calling F (not fork-based: a fork child does not import the
  /// main module again).
  EffectRef startsIn(int F) {
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

  /// set_start_method() (without force=True) reached by calling F.
  EffectRef setsMethodIn(int F) {
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

  /// Where calling F uses CUDA (F as a process target).
  EffectRef cudaStory(int F) {
    Goal G{[&](unsigned Id, bool &) { return FM.initializesCuda(Id); },
           "the child uses CUDA here", FlowEvent::Cuda, &FunctionSummary::CudaUse,
           &CudaStoryMemo};
    return storyTo(F, G);
  }

  int localCallee(const CallSite &C) const {
    int G = M.calledFunction(C);
    if (G < 0)
      G = M.calledMethodOfLocalInstance(C);
    return G >= 0 && M.scopes()[G].Kind == ScopeKind::Function ? G : -1;
  }

  /// The positional index (self not counted) and name of F's parameter Name; false if F
  /// has none.
  bool parameterOf(int F, llvm::StringRef Name, int &Position) const {
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

  /// F's parameter named by Arg (an identifier bound as a parameter of F itself).
  bool isParameterOf(int F, Node Arg, int &Position, std::string &Name) const {
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

  /// F's parameters that it hands to a process API as the callable that API pickles.
  const std::vector<Handoff> &handoffsOf(int F, unsigned Depth = 0) {
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
        if (!(E->Flags & (PicklesCallable | PicklesInitializer)))
          continue;
        bool IsProcess = E->Returns && llvm::StringRef(E->Returns) == types::Process;
        if (IsProcess && M.typeOf(C.Call, C.Scope).StartMethod == "fork")
          continue;
        for (const Param *P : {&E->Callable, &E->Initializer}) {
          if (!P->present() || (P == &E->Callable && !(E->Flags & PicklesCallable)) ||
              (P == &E->Initializer && !(E->Flags & PicklesInitializer)))
            continue;
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

  /// `for batch in loader` with loader = DataLoader(..., num_workers=N > 0): the workers
  /// are forked here (under the fork method). They never use CUDA themselves.
  void dataLoaderLoop(Node For, State &S, Frame &Fr) {
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

  void fork(unsigned Id, const ApiEntry &E, State &S, Frame &Fr) {
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

  void addPending(Frame &Fr, PendingFork P) {
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

  const Summary &summaryOf(unsigned F, unsigned CallDepth) {
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

  /// SelfKey: what the callee's `self` is called here (`server` for server.stop()), so that
  /// what it keeps in `self.x` the caller joins as `server.x`.
  void applySummary(unsigned F, unsigned Id, const std::string &SelfKey, State &S, Frame &Fr,
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

  FlowModel &FM;
  const SemanticModel &M;
  const ApiTable &Api;
  Resolver &R;
  bool DefaultIsFork = true;
  bool FileSetsStartMethod = false;
  llvm::DenseMap<const void *, llvm::SmallVector<unsigned, 4>> CallsByStatement;
  llvm::DenseMap<int, std::vector<unsigned>> CallsByRunner;
  llvm::DenseMap<const void *, unsigned> CallIdOf;
  llvm::DenseMap<const void *, unsigned> ScopeOfDefinition; ///< def/lambda node -> its scope
  /// What has run when a function is called from outside: the module's top level up to
  /// its `if __name__ == "__main__":` block (an importer runs no more of it).
  std::optional<State> ImportState;
  unsigned Rewalks = 0; ///< loop bodies being walked a second time, nested
  std::vector<Summary> Summaries;
  std::vector<std::vector<State>> LoopExits;
  llvm::DenseMap<int, int> CudaUse;
  std::set<std::string> ReportedThreads, ReportedCuda;
  std::map<std::string, ForkHazard> NoParentCuda;
  /// Calls in the walked file that reach CUDA in another module: the story from there.
  llvm::DenseMap<unsigned, EffectRef> ForeignCudaUse;
  llvm::DenseSet<unsigned> SecondSetReported;
  llvm::DenseMap<int, EffectRef> StartsMemo, SetsMemo, CudaStoryMemo;
  llvm::DenseMap<int, std::vector<Handoff>> HandoffMemo;

  friend class FlowModel;
  friend ModuleSummary summarizeModule(const SemanticModel &, llvm::StringRef, const Config *,
                                       ProjectLink &);
};

FlowModel::FlowModel(const SemanticModel &M, const Config *Cfg, ProjectLink *Link,
                     llvm::StringRef Path)
    : M(M), Link(Link), Path(Path.str()) {
  prepare();
  // Every fork is spelled in the file: os.fork/os.forkpty/pty.fork and the "fork" method
  // contain "fork"; a process start that forks by default names Process or Pool (also
  // through aliases: the import names the original). Other starters never count as forks.
  // With the project, a fork may be in a function of another module this file imports.
  llvm::StringRef Source = M.tree().source();
  if (!Source.contains("fork") && !Source.contains("Process") && !Source.contains("Pool") &&
      !Source.contains("DataLoader") && !(Link && importsProjectModule()))
    return;
  Walker W(*this, M, Cfg);
  W.run();
}

FlowModel::FlowModel(const SemanticModel &M, ProjectLink &Link, llvm::StringRef Path)
    : M(M), Link(&Link), Path(Path.str()), Export(true) {
  prepare();
}

bool FlowModel::importsProjectModule() const {
  for (const Binding &B : M.bindings()) {
    if (B.Kind != BindingKind::Import)
      continue;
    if (B.Qualified.empty())
      return true; // a relative import: the package's own module
    llvm::StringRef Top = llvm::StringRef(B.Qualified).split('.').first;
    if (Link->hasModule(Top))
      return true;
  }
  return false;
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

} // namespace python
} // namespace forksafe

//===----------------------------------------------------------------------===//
// Summaries for the rest of the project
//===----------------------------------------------------------------------===//

namespace forksafe {
namespace python {

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

  // Its functions, and the methods of its classes.
  for (unsigned F = 1; F < M.scopes().size(); ++F) {
    const Scope &Sc = M.scopes()[F];
    if (Sc.Kind != ScopeKind::Function)
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

  // Names it binds by importing: what `from pkg import f` finds in pkg/__init__.py.
  for (const auto &Entry : M.scopes()[0].Names)
    for (unsigned Id : Entry.second) {
      const Binding &B = M.bindings()[Id];
      if (B.Kind != BindingKind::Import)
        continue;
      std::string Target = importedName(M, B, Link);
      if (!Target.empty())
        Out.Imports[Entry.first()] = Target;
    }
  return Out;
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
