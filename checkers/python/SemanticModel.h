//===--- SemanticModel.h - What the Python rules share about one file -------===//
//
// Built in one iterative pass over the syntax tree:
//  - scopes (module, class, function, lambda) with their bindings and statements in order;
//  - bindings: imports and aliases (qualified names), local definitions (which shadow
//    imports), assignments and `with ... as` targets (receiver kinds), parameters;
//  - every call site, in source order, with the scope it resolves names in, the function
//    that runs it (or none: it runs when the module is imported), its module-level
//    statement, whether it is under `if __name__ == "__main__":`, and its conditional arm;
//  - resolvers: expression -> fully qualified API name, expression -> receiver type,
//    expression -> constant string, call -> same-file function it calls;
//  - the set of calls that run when the module is imported, through same-file calls.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_PYTHON_SEMANTICMODEL_H
#define FORKSAFE_PYTHON_SEMANTICMODEL_H

#include "python/ApiTable.h"
#include "python/SyntaxTree.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace forksafe {
namespace python {

enum class ScopeKind { Module, Class, Function, Lambda };

enum class BindingKind {
  Import,     ///< import / from-import: Qualified is what the name stands for
  Function,   ///< def: DefinedScope is its scope
  Class,      ///< class: DefinedScope is its body scope
  Assignment, ///< name = Value (also walrus)
  WithItem,   ///< with Value as name
  Parameter,
  Global,     ///< `global name`: look the name up in the module scope instead
  Other,      ///< loop targets, tuple unpacking, except-as, augmented assignment, ...
};

struct Binding {
  BindingKind Kind;
  Node NameNode;
  Node Value;             ///< Assignment, WithItem
  std::string Qualified;  ///< Import ("" for relative imports: local, not an API)
  int DefinedScope = -1;  ///< Function, Class
  uint32_t Pos = 0;       ///< byte offset from which the binding holds
};

struct Scope {
  ScopeKind Kind;
  int Parent = -1;
  Node Def;                        ///< function/class/lambda node; null for the module
  llvm::StringRef Name;            ///< function or class name
  llvm::StringMap<llvm::SmallVector<unsigned, 1>> Names; ///< name -> bindings, source order
  std::vector<Node> Statements;    ///< the statements of its body, in order
  std::vector<unsigned> Calls;     ///< call sites resolved in this scope, source order
  Node Bases;                      ///< Class: the superclasses argument list
  /// Class: `self.<attr> = value` in its methods, as (value, method scope) in source order.
  llvm::StringMap<llvm::SmallVector<std::pair<Node, unsigned>, 1>> SelfAttributes;
};

/// One arm of a conditional statement (if/elif/else, try/except, match case).
struct BranchArm {
  int Parent;    ///< enclosing arm, -1 for none
  const void *Statement;
  int Arm;
};

struct CallSite {
  Node Call;
  Node Callee;       ///< the `function` field
  unsigned Scope;    ///< where names in the call resolve
  int Runner;        ///< innermost function/lambda scope that runs it; -1: runs at import
  Node TopStatement; ///< the module-level statement that contains it
  Node Statement;    ///< the innermost statement that contains it
  bool Guarded;      ///< inside `if __name__ == "__main__":`
  int Branch;        ///< innermost conditional arm (index into branches()), -1 for none
};

/// What an expression evaluates to, as far as the API table knows.
struct ReceiverType {
  std::string Type;        ///< an ApiTable type name, or the qualified name of what was called
  std::string StartMethod; ///< contexts, pools, executors, processes: "fork", "spawn", ...;
                           ///< "" for the default, "?" when unknown
  int LocalClass = -1;     ///< instance of a class defined in this file: its scope
  bool known() const { return !Type.empty() || LocalClass >= 0; }
};

/// A call that runs when the module is imported, and how it gets run.
struct ImportTimeCall {
  unsigned Call;
  /// Call sites from the module-level statement to the function that contains Call
  /// (empty when Call itself is at module level).
  llvm::SmallVector<unsigned, 4> Chain;
};

class SemanticModel {
public:
  SemanticModel(const SyntaxTree &Tree, const ApiTable &Api);

  const SyntaxTree &tree() const { return Tree; }
  const ApiTable &api() const { return Api; }
  llvm::ArrayRef<Scope> scopes() const { return Scopes; }
  llvm::ArrayRef<Binding> bindings() const { return Bindings; }
  llvm::ArrayRef<CallSite> calls() const { return Calls; }
  llvm::ArrayRef<BranchArm> branches() const { return Branches; }
  llvm::StringRef text(Node N) const { return Tree.text(N); }

  /// The binding Name refers to when used at byte UsePos in scope S (LEGB, class scopes
  /// visible only from their own body; `global` honoured). Null: builtin or undefined.
  const Binding *lookup(llvm::StringRef Name, unsigned S, uint32_t UsePos) const;

  /// `mp.get_context` -> "multiprocessing.get_context"; through imports, aliases, star
  /// imports of known modules, and `x = module.attr` aliases. "" when not an imported name.
  std::string qualifiedName(Node Expr, unsigned S) const;
  /// The qualified name of what a call calls, also through receivers:
  /// `pool.map` with `pool = mp.Pool()` -> "multiprocessing.pool.Pool.map".
  /// Remembered per call site (rules and the flow walk ask about every call several times).
  std::string calleeName(const CallSite &C) const;
  std::string calleeName(Node Callee, unsigned S) const;
  /// The table entry for what the call calls, or null.
  const ApiEntry *apiOf(const CallSite &C) const;
  /// The index of C in calls(), or -1 when C is not one of them (a copy).
  int indexOf(const CallSite &C) const {
    return &C >= Calls.data() && &C < Calls.data() + Calls.size() ? int(&C - Calls.data()) : -1;
  }
  /// The parameters of C (table entry E) whose arguments are pickled: the callable and the
  /// initializer as E's flags say; none for a Process whose start method is "fork" (its
  /// target is not pickled).
  llvm::SmallVector<const Param *, 2> pickledParams(const CallSite &C, const ApiEntry &E) const;

  ReceiverType typeOf(Node Expr, unsigned S) const;

  /// The start method the process start C (table entry E) uses, as far as the file says:
  /// "fork", "spawn", "forkserver", "" for multiprocessing's default, "?" when unknown.
  /// Receiver is the type of the object a method is called on when the caller resolved it
  /// (it may know more than typeOf); null: typeOf resolves it.
  std::string processStartMethod(const CallSite &C, const ApiEntry &E,
                                 const ReceiverType *Receiver = nullptr) const;

  /// A string literal (no interpolation, not bytes), an implicit concatenation of such, or
  /// a name bound exactly once, to such a literal, in its scope.
  std::optional<std::string> stringValue(Node Expr, unsigned S) const;

  /// The argument passed for P: the positional argument at P.Position, else the keyword
  /// argument P.Keyword, also through `**kwargs` built in the same function (splatKeyword).
  /// Null when absent (or hidden behind *args or a **kwargs not known).
  Node argument(Node Call, const Param &P) const;
  /// The keyword argument Key given through `**Dict` where Dict is `dict(...)`/`{...}` or a
  /// name this function (or module) bound to one before the call, or set with
  /// `Dict["Key"] = value`: that value. Null when unknown.
  Node splatKeyword(Node Call, Node Dict, llvm::StringRef Key) const;
  /// Whether the argument list uses *args or **kwargs (the absent argument may be there).
  bool hasSplat(Node Call) const;

  /// The same-file function (scope index) that the call calls: a function by name, a class
  /// (its __init__), or `self.method()` in a method. -1 when unknown.
  int calledFunction(const CallSite &C) const;

  /// `obj.method()` where obj was made by a class of this file: that method's scope, or -1.
  int calledMethodOfLocalInstance(const CallSite &C) const;

  /// Every call that runs when the module is imported: unguarded calls at module level and
  /// in class bodies, and the calls of same-file functions (and methods of instances of
  /// the file's classes) they call, transitively.
  const std::vector<ImportTimeCall> &importTimeCalls() const;

  /// Whether arms A and B (indices into branches(), -1 for none) are exclusive: some
  /// conditional statement has one in one arm and the other in another.
  bool exclusiveBranches(int A, int B) const;

  /// `__name__ == "__main__"` (either order, any quotes), possibly inside `and`.
  /// Sets Negated for `!=`, where the else arm is the guarded one.
  bool isMainGuard(Node Condition, bool &Negated) const;

  /// Whether an import statement runs when function scope F runs (in its own body or a
  /// class body in it; not in functions nested in it). -1: the module's top level.
  bool runsImports(int F) const {
    return std::find(ImportRunners.begin(), ImportRunners.end(), F) != ImportRunners.end();
  }

  /// The parent of N, as ts_node_parent gives it, found from the module-level statement that
  /// holds N (tree-sitter looks for a parent from the root, through every top-level
  /// statement before it).
  Node parentOf(Node N) const;

  /// The scope of the innermost enclosing function of a scope (itself if a function).
  int enclosingFunction(int S) const;
  /// The class whose method S is (or is nested in), when `self` there means its instance.
  int classOfSelf(unsigned S) const;
  /// The method Name of the file's class Cls (its scope), or -1.
  int methodOf(int Cls, llvm::StringRef Name) const;

  /// `self.<attr> = value` assignment statements directly in the bodies of the methods of
  /// class Cls (not in nested definitions; each level of a chained assignment whose value
  /// is not itself an assignment), as attr -> (value, method scope). Null when none.
  const llvm::StringMap<std::vector<std::pair<Node, unsigned>>> *methodSelfAssignments(int Cls) const {
    auto It = MethodSelfAssignments.find(Cls);
    return It == MethodSelfAssignments.end() ? nullptr : &It->second;
  }

private:
  struct Frame;
  void build();
  /// An expression whose subtree the build pass need not visit (it holds nothing it records).
  bool isInertExpression(Node N) const;
  void bindTarget(Node Target, Node Value, BindingKind Kind, unsigned S, uint32_t Pos);
  void recordSelfAttribute(Node Target, Node Value, unsigned S);
  unsigned addBinding(unsigned S, llvm::StringRef Name, Binding B);
  void bindParameters(Node Params, unsigned S, std::vector<Frame> &Stack, const Frame &Outer);
  std::string qualifiedName(Node Expr, unsigned S, unsigned Depth) const;
  int calledFunctionUncached(const CallSite &C) const;
  std::string calleeName(Node Callee, unsigned S, unsigned Depth) const;
  ReceiverType typeOf(Node Expr, unsigned S, unsigned Depth) const;
  std::string startMethodOf(Node Call, const Param &P, unsigned S, unsigned Depth) const;
  const Binding *preferred(llvm::ArrayRef<unsigned> Ids, bool SameScope, uint32_t UsePos) const;

  const SyntaxTree &Tree;
  const ApiTable &Api;
  std::vector<Scope> Scopes;
  std::vector<Binding> Bindings;
  std::vector<CallSite> Calls;
  std::vector<BranchArm> Branches;
  std::vector<std::string> StarModules;
  std::vector<int> ImportRunners; ///< runners of import statements, each once
  llvm::DenseMap<int, llvm::StringMap<std::vector<std::pair<Node, unsigned>>>> MethodSelfAssignments;
  mutable std::optional<std::vector<ImportTimeCall>> ImportTime;
  // Answers remembered: every query is a function of the tree alone. Per call site: its
  // callee's name, table entry, and same-file function; per (expression, scope): the
  // public qualifiedName and typeOf (never the inner, depth-bounded steps).
  struct CallMemo {
    bool HasName = false, HasApi = false, HasFunction = false;
    std::string Name;
    const ApiEntry *Api = nullptr;
    int Function = -1;
  };
  mutable std::vector<CallMemo> CallMemos;
  using ExprKey = std::pair<const void *, uint64_t>;
  static ExprKey exprKey(Node N, unsigned S) {
    return {N.id(), (uint64_t(N.startByte()) << 32) | S};
  }
  mutable llvm::DenseMap<ExprKey, std::string> QualifiedMemo;
  mutable llvm::DenseMap<ExprKey, ReceiverType> TypeMemo;
  mutable unsigned Budget = 0; ///< resolution steps left in the current public query
};

/// Strips parentheses around an expression (iteratively).
Node unparenthesize(Node N);

} // namespace python
} // namespace forksafe

#endif
