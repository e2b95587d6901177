//===--- FlowResolver.h - Names and values the flow walk resolves -------------===//
//
// Internal to the flow walk: receiver types beyond the semantic model's (loop variables,
// `self` of a library subclass, `self.x`), the names threads and pools are held by (to match
// joins), start methods, CUDA devices. Caches what it finds per scope.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_PYTHON_FLOWRESOLVER_H
#define FORKSAFE_PYTHON_FLOWRESOLVER_H

#include "python/FlowState.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <memory>
#include <optional>
#include <vector>

namespace forksafe {
namespace python {

using namespace flow;

struct FlowModel::Resolver {
  Resolver(const SemanticModel &M, bool ImportsTorch)
      : M(M), Api(M.api()), ImportsTorch(ImportsTorch) {}
  const SemanticModel &M;
  const ApiTable &Api;
  bool ImportsTorch;

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

  /// Per call site: the name calleeName found (asked for every call by several parts of the
  /// walk).
  mutable std::vector<std::optional<std::string>> CalleeMemo;

  std::string calleeName(const CallSite &C) const {
    int I = M.indexOf(C);
    if (I < 0)
      return calleeNameUncached(C);
    if (CalleeMemo.empty())
      CalleeMemo.resize(M.calls().size());
    std::optional<std::string> &Memo = CalleeMemo[I];
    if (!Memo)
      Memo = calleeNameUncached(C);
    return *Memo;
  }

  std::string calleeNameUncached(const CallSite &C) const {
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
    const auto *Values = M.methodSelfAssignments(Cls);
    if (!Values)
      return "";
    auto It = Values->find(M.text(Obj.field("attribute")));
    if (It == Values->end())
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
    Node P = M.parentOf(B->NameNode);
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
    Node P = M.parentOf(Call);
    while (P.is("parenthesized_expression"))
      P = M.parentOf(P);
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

} // namespace python
} // namespace forksafe

#endif
