//===--- UnpicklableProcessTarget.cpp - forksafe-unpicklable-process-target -===//
//
// A callable that pickle cannot send to another process (a lambda, a function or class
// defined inside a function, a method of such a class, functools.partial of one) given to
// an API that pickles it: Process(target=) (under spawn and forkserver), process pool and
// executor methods, initializer=, torch.multiprocessing.spawn. Only receivers known to be
// process pools or executors count: thread pools, pandas' apply and builtin map never do.
// Also a function of another module of the project that hands its parameter on to such an
// API (its summary's handoffs): the callable given to it is judged at the call.
//
//===----------------------------------------------------------------------===//
#include "python/FlowModel.h"
#include "python/Rule.h"

namespace forksafe {
namespace python {

namespace {

/// Why a callable cannot be pickled: what to call it in the message, and where it is defined.
struct Unpicklable {
  std::string What;
  Node Definition;
};

/// Whether scope S is defined inside a function (so pickle cannot find it by name).
bool isLocal(const SemanticModel &M, int S) {
  for (int P = M.scopes()[S].Parent; P >= 0; P = M.scopes()[P].Parent)
    if (M.scopes()[P].Kind == ScopeKind::Function || M.scopes()[P].Kind == ScopeKind::Lambda)
      return true;
  return false;
}

std::optional<Unpicklable> unpicklable(const SemanticModel &M, Node Expr, unsigned S) {
  // functools.partial(partial(f, 1), 2): unwrap (bounded; real code nests once or twice).
  for (unsigned Depth = 0; Depth < 8; ++Depth) {
    Expr = unparenthesize(Expr);
    if (!Expr.is("call"))
      break;
    if (M.qualifiedName(Expr.field("function"), S) != "functools.partial")
      return std::nullopt;
    Expr = M.argument(Expr, Param{0, "func"});
    if (Expr.isNull())
      return std::nullopt;
  }
  Expr = unparenthesize(Expr);
  if (Expr.is("lambda"))
    return Unpicklable{"a lambda", Node()};

  if (Expr.is("identifier")) {
    llvm::StringRef Name = M.text(Expr);
    const Binding *B = M.lookup(Name, S, Expr.startByte());
    if (!B)
      return std::nullopt;
    if (B->Kind == BindingKind::Assignment && unparenthesize(B->Value).is("lambda"))
      return Unpicklable{"lambda '" + Name.str() + "'", B->NameNode};
    if ((B->Kind == BindingKind::Function || B->Kind == BindingKind::Class) &&
        isLocal(M, B->DefinedScope))
      return Unpicklable{(B->Kind == BindingKind::Function ? "nested function '"
                                                            : "local class '") +
                             Name.str() + "'",
                         B->NameNode};
    return std::nullopt;
  }

  if (Expr.is("attribute")) {
    // LocalClass.method or LocalClass(...).method / obj.method with obj = LocalClass(...).
    Node Obj = unparenthesize(Expr.field("object"));
    int Cls = -1;
    if (Obj.is("identifier")) {
      const Binding *B = M.lookup(M.text(Obj), S, Obj.startByte());
      if (B && B->Kind == BindingKind::Class)
        Cls = B->DefinedScope;
    }
    if (Cls < 0)
      Cls = M.typeOf(Obj, S).LocalClass;
    if (Cls < 0 || !isLocal(M, Cls))
      return std::nullopt;
    const Scope &C = M.scopes()[Cls];
    return Unpicklable{"method '" + M.text(Expr.field("attribute")).str() + "' of local class '" +
                           C.Name.str() + "'",
                       C.Def.field("name")};
  }
  return std::nullopt;
}

/// Whether an argument of C that SemanticModel::argument can find is an unpicklable
/// callable: one given directly, or any passed through `*args` or `**kwargs` (looked up
/// elsewhere). When none is, no parameter of any callee can receive one.
bool mayPassUnpicklable(const SemanticModel &M, const CallSite &C) {
  Node Args = C.Call.field("arguments");
  if (!Args.is("argument_list"))
    return false; // argument() finds nothing then
  for (Node A : Args.codeChildren()) {
    if (A.is("list_splat") || A.is("dictionary_splat"))
      return true;
    Node V = A.is("keyword_argument") ? A.field("value") : A;
    if (V && unpicklable(M, V, C.Scope))
      return true;
  }
  return false;
}

/// A callable handed to a function of another module that hands that parameter on to a
/// process API (a wrapper such as `run_parallel(fn, items)`).
void checkWrapperCall(RuleContext &Ctx, const CallSite &C) {
  // Looking the callee up in the project costs more than looking at the arguments.
  if (!mayPassUnpicklable(Ctx.model(), C))
    return;
  const FunctionSummary *FS = Ctx.calledSummary(C);
  if (!FS)
    return;
  const SemanticModel &M = Ctx.model();
  for (const Handoff &H : FS->Handoffs) {
    Node Arg = M.argument(C.Call, Param{H.Position, H.Name.c_str()});
    if (Arg.isNull())
      continue;
    auto U = unpicklable(M, Arg, C.Scope);
    if (!U)
      continue;
    bool IsClass = U->What.rfind("local class", 0) == 0 || U->What.rfind("method", 0) == 0;
    Diagnostic &D = Ctx.report(
        Arg, U->What + " cannot be pickled, but '" + Ctx.quote(C.Callee) + "' hands it to " +
                 H.Api + ", which pickles it to send it to another process" +
                 (IsClass ? "; define the class at module level"
                          : "; define the function at module level"));
    if (U->Definition)
      Ctx.note(D, U->Definition, "'" + Ctx.text(U->Definition).str() + "' defined here");
    noteStory(Ctx, D, H.Notes);
  }
}

} // namespace

void checkUnpicklableProcessTarget(RuleContext &Ctx) {
  const SemanticModel &M = Ctx.model();
  for (const CallSite &C : M.calls()) {
    const ApiEntry *E = M.apiOf(C);
    if (!E && Ctx.link()) {
      checkWrapperCall(Ctx, C);
      continue;
    }
    if (!E)
      continue;
    bool IsProcess = E->Returns && llvm::StringRef(E->Returns) == types::Process;
    for (const Param *P : M.pickledParams(C, *E)) {
      Node Arg = M.argument(C.Call, *P);
      if (Arg.isNull())
        continue;
      auto U = unpicklable(M, Arg, C.Scope);
      if (!U)
        continue;
      std::string Api = Ctx.quote(C.Callee) + "()";
      std::string Use;
      if (P == &E->Initializer)
        Use = "pickles its initializer to send it to each worker process";
      else if (IsProcess)
        Use = "pickles its target to start the child under the spawn and forkserver start methods";
      else
        Use = "pickles its function to send it to the worker processes";
      bool IsClass = U->What.rfind("local class", 0) == 0 || U->What.rfind("method", 0) == 0;
      std::string Message = U->What + " cannot be pickled, but " + Api + " " + Use +
                            (IsClass ? "; define the class at module level"
                                     : "; define the function at module level");
      Diagnostic &D = Ctx.report(Arg, Message);
      if (U->Definition)
        Ctx.note(D, U->Definition, "'" + Ctx.text(U->Definition).str() + "' defined here");
    }
  }
}

} // namespace python
} // namespace forksafe
