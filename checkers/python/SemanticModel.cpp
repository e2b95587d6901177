//===--- SemanticModel.cpp ------------------------------------------------===//
#include "python/SemanticModel.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <algorithm>
#include <deque>

namespace forksafe {
namespace python {

// Alias chains (`a = b`, `b = mp.get_context(...)`) are followed this far; no file needs more,
// and the bound keeps resolution linear on adversarial input.
static constexpr unsigned MaxResolveDepth = 16;
// A receiver's type is known only if all bindings of its name agree; beyond this many
// bindings it is taken as unknown rather than compared (keeps resolution linear).
static constexpr size_t MaxAgreeingBindings = 32;
// Steps one public resolution may take in all (names bound to names bound to calls ...):
// generous for real code, and a hard stop for adversarial binding graphs.
static constexpr unsigned MaxResolveSteps = 256;

static bool isStatement(llvm::StringRef Type) {
  llvm::StringRef Suffix = "_statement";
  bool EndsWithStatement =
      Type.size() > Suffix.size() && Type.substr(Type.size() - Suffix.size()) == Suffix;
  return EndsWithStatement || Type == "function_definition" ||
         Type == "class_definition" || Type == "decorated_definition";
}

Node unparenthesize(Node N) {
  while (N.is("parenthesized_expression")) {
    auto Inner = N.codeChildren();
    if (Inner.size() != 1)
      break;
    N = Inner.front();
  }
  return N;
}

/// Context in which a node is visited during the build pass.
struct SemanticModel::Frame {
  Node N;
  unsigned Scope;
  int Runner;
  Node Top;
  Node Stmt;
  bool Guarded;
  int Branch;
};

SemanticModel::SemanticModel(const SyntaxTree &Tree, const ApiTable &Api) : Tree(Tree), Api(Api) {
  build();
}

unsigned SemanticModel::addBinding(unsigned S, llvm::StringRef Name, Binding B) {
  Bindings.push_back(std::move(B));
  unsigned Id = Bindings.size() - 1;
  Scopes[S].Names[Name].push_back(Id);
  return Id;
}

void SemanticModel::bindTarget(Node Target, Node Value, BindingKind Kind, unsigned S,
                               uint32_t Pos) {
  Target = unparenthesize(Target);
  if (Target.is("identifier")) {
    Binding B{Kind, Target, Value, "", -1, Pos};
    addBinding(S, text(Target), std::move(B));
    return;
  }
  // Unpacking: every name inside gets a binding whose value the model does not track.
  // Iterative: targets can nest arbitrarily.
  if (!(Target.is("pattern_list") || Target.is("tuple_pattern") || Target.is("list_pattern") ||
        Target.is("tuple") || Target.is("list") || Target.is("list_splat_pattern") ||
        Target.is("expression_list") || Target.is("as_pattern_target")))
    return;
  llvm::SmallVector<Node, 16> Work{Target};
  while (!Work.empty()) {
    Node T = unparenthesize(Work.pop_back_val());
    if (T.is("identifier")) {
      addBinding(S, text(T), Binding{BindingKind::Other, T, Node(), "", -1, Pos});
      continue;
    }
    if (T.is("attribute") || T.is("subscript"))
      continue;
    for (Node C : T.codeChildren())
      Work.push_back(C);
  }
}

void SemanticModel::bindParameters(Node Params, unsigned S, std::vector<Frame> &Stack,
                                   const Frame &Outer) {
  if (Params.isNull())
    return;
  uint32_t Pos = Params.startByte();
  for (Node P : Params.codeChildren()) {
    Node Name = P;
    if (P.is("default_parameter") || P.is("typed_default_parameter")) {
      Name = P.field("name");
      // Defaults are evaluated where the function is defined.
      if (Node V = P.field("value"))
        Stack.push_back(
            {V, Outer.Scope, Outer.Runner, Outer.Top, Outer.Stmt, Outer.Guarded, Outer.Branch});
    } else if (P.is("typed_parameter") || P.is("list_splat_pattern") ||
               P.is("dictionary_splat_pattern")) {
      for (Node C : P.codeChildren())
        if (C.is("identifier")) {
          Name = C;
          break;
        }
    }
    if (Name.is("identifier"))
      addBinding(S, text(Name), Binding{BindingKind::Parameter, Name, Node(), "", -1, Pos});
    else if (Name.is("tuple_pattern"))
      bindTarget(Name, Node(), BindingKind::Parameter, S, Pos);
  }
}

bool SemanticModel::isMainGuard(Node Cond, bool &Negated) const {
  // `__name__ == "__main__" and x` also guards its body: collect the operands of an `and`
  // chain (iteratively: chains can be long) and look for the comparison among them.
  llvm::SmallVector<Node, 4> Work{unparenthesize(Cond)};
  bool InAnd = false;
  while (!Work.empty()) {
    Node C = unparenthesize(Work.pop_back_val());
    if (C.is("boolean_operator")) {
      if (text(C.field("operator")) != "and")
        continue;
      InAnd = true;
      Work.push_back(C.field("left"));
      Work.push_back(C.field("right"));
      continue;
    }
    if (!C.is("comparison_operator"))
      continue;
    auto Operands = C.codeChildren();
    if (Operands.size() != 2)
      continue;
    llvm::StringRef Op = text(C.field("operators"));
    if (Op != "==" && Op != "!=")
      continue;
    // Under `and`, only `==` narrows to the main module.
    if (InAnd && Op == "!=")
      continue;
    auto IsName = [&](Node N) { return N.is("identifier") && text(N) == "__name__"; };
    auto IsMain = [&](Node N) {
      auto V = stringValue(N, 0);
      return V && *V == "__main__";
    };
    if ((IsName(Operands[0]) && IsMain(Operands[1])) ||
        (IsMain(Operands[0]) && IsName(Operands[1]))) {
      Negated = Op == "!=";
      return true;
    }
  }
  return false;
}

/// Expression kinds that bind nothing, open no scope and hold no statement: what they hold
/// matters to the model only if it holds a call, a lambda, a walrus or a comprehension.
static bool isPlainExpressionType(llvm::StringRef T) {
  switch (T.size() ? T[0] : 0) {
  case 'a':
    return T == "attribute" || T == "await";
  case 'b':
    return T == "binary_operator" || T == "boolean_operator";
  case 'c':
    return T == "comparison_operator" || T == "concatenated_string" ||
           T == "conditional_expression";
  case 'd':
    return T == "dictionary" || T == "dictionary_splat";
  case 'e':
    return T == "expression_list";
  case 'k':
    return T == "keyword_argument";
  case 'l':
    return T == "list" || T == "list_splat";
  case 'n':
    return T == "not_operator";
  case 'p':
    return T == "pair" || T == "parenthesized_expression";
  case 's':
    return T == "string" || T == "subscript" || T == "set" || T == "slice";
  case 't':
    return T == "tuple" || T == "type";
  case 'u':
    return T == "unary_operator";
  }
  return false;
}

bool SemanticModel::isInertExpression(Node N) const {
  if (!isPlainExpressionType(N.type()) || N.hasError())
    return false;
  // Short ones only: a text searched at every level of a deep expression would make the
  // pass quadratic. The words over-approximate (`format` holds "for"): such an expression is
  // simply visited.
  uint32_t Begin = N.startByte(), End = N.endByte();
  if (End - Begin > 400)
    return false;
  llvm::StringRef T = Tree.source().slice(Begin, End);
  for (size_t I = 0, N = T.size(); I < N; ++I)
    switch (T[I]) {
    case '(':
      return false;
    case ':':
      if (I + 1 < N && T[I + 1] == '=')
        return false;
      break;
    case 'f':
      if (T.substr(I, 3) == "for")
        return false;
      break;
    case 'l':
      if (T.substr(I, 6) == "lambda")
        return false;
      break;
    }
  return true;
}

/// Upper bounds, from one pass over a text, of what its model holds: scopes (the times "def",
/// "class" and "lambda" occur) and call sites (its opening parentheses).
struct TextCounts {
  size_t Scopes = 0, Parens = 0;
};
static TextCounts countsIn(llvm::StringRef Text) {
  TextCounts C;
  for (size_t I = 0, N = Text.size(); I < N; ++I)
    switch (Text[I]) {
    case '(':
      ++C.Parens;
      break;
    case 'd':
      C.Scopes += Text.substr(I, 3) == "def";
      break;
    case 'c':
      C.Scopes += Text.substr(I, 5) == "class";
      break;
    case 'l':
      C.Scopes += Text.substr(I, 6) == "lambda";
      break;
    }
  return C;
}

void SemanticModel::build() {
  Node Root = Tree.root();
  // A Scope's maps are copied, not moved, when the vector grows (their moves may throw):
  // room for every scope the text can hold, counted by its keywords, is made up front.
  llvm::StringRef Src = Tree.source();
  TextCounts Counts = countsIn(Src);
  Scopes.reserve(1 + Counts.Scopes);
  // Call sites too: a vector of them grown by doubling copies each one several times (a
  // 10,000-line module has thousands), on every edit of a language-server document.
  Calls.reserve(Counts.Parens);
  Scopes.push_back(Scope{ScopeKind::Module, -1, Node(), "", {}, {}, {}, Node()});
  for (Node S : Root.codeChildren())
    Scopes[0].Statements.push_back(S);

  std::vector<Frame> Stack;
  Stack.push_back({Root, 0, -1, Node(), Node(), false, -1});
  auto PushChildren = [&](const Frame &F, Node N) {
    auto Kids = N.namedChildren();
    // Leaves (names, numbers, comments) add nothing, nor do expressions that hold no call,
    // lambda, walrus or comprehension: they are not visited.
    for (auto It = Kids.rbegin(); It != Kids.rend(); ++It)
      if (ts_node_child_count(It->raw()) != 0 && !It->is("comment") && !isInertExpression(*It))
        Stack.push_back({*It, F.Scope, F.Runner, F.Top, F.Stmt, F.Guarded, F.Branch});
  };
  auto NewArm = [&](const Frame &F, Node Stmt, int Arm) {
    Branches.push_back({F.Branch, Stmt.id(), Arm});
    return static_cast<int>(Branches.size() - 1);
  };

  while (!Stack.empty()) {
    Frame F = Stack.back();
    Stack.pop_back();
    Node N = F.N;
    llvm::StringRef Type = N.type();
    if (isStatement(Type))
      F.Stmt = N;

    if (Type == "module") {
      auto Kids = N.codeChildren();
      for (auto It = Kids.rbegin(); It != Kids.rend(); ++It)
        Stack.push_back({*It, 0, -1, *It, *It, false, -1});
      continue;
    }

    if (Type == "call") {
      CallSite C{N, N.field("function"), F.Scope, F.Runner, F.Top, F.Stmt, F.Guarded, F.Branch};
      Calls.push_back(C);
      Scopes[F.Scope].Calls.push_back(Calls.size() - 1);
      PushChildren(F, N);
      continue;
    }

    if (Type == "function_definition" || Type == "class_definition" || Type == "lambda") {
      bool IsClass = Type == "class_definition";
      ScopeKind Kind = Type == "lambda" ? ScopeKind::Lambda
                       : IsClass        ? ScopeKind::Class
                                        : ScopeKind::Function;
      Node Name = N.field("name");
      Scope Sc{Kind, static_cast<int>(F.Scope), N, Name ? text(Name) : "", {}, {}, {}, Node()};
      Node Body = N.field("body");
      if (Kind != ScopeKind::Lambda)
        for (Node S : Body.codeChildren())
          Sc.Statements.push_back(S);
      if (IsClass)
        Sc.Bases = N.field("superclasses");
      Scopes.push_back(std::move(Sc));
      unsigned Inner = Scopes.size() - 1;
      if (Name)
        addBinding(F.Scope, text(Name),
                   Binding{IsClass ? BindingKind::Class : BindingKind::Function, Name, Node(), "",
                           static_cast<int>(Inner), N.startByte()});
      // A class body runs where the class statement runs; a function body when called.
      int Runner = IsClass ? F.Runner : static_cast<int>(Inner);
      int Branch = IsClass ? F.Branch : -1;
      if (Body)
        Stack.push_back({Body, Inner, Runner, F.Top, F.Stmt, IsClass ? F.Guarded : false, Branch});
      if (IsClass) {
        if (Node Bases = Scopes[Inner].Bases)
          Stack.push_back({Bases, F.Scope, F.Runner, F.Top, F.Stmt, F.Guarded, F.Branch});
      } else {
        bindParameters(N.field("parameters"), Inner, Stack, F);
      }
      continue;
    }

    if (Type == "decorated_definition") {
      PushChildren(F, N);
      continue;
    }

    if (Type == "import_statement" || Type == "import_from_statement") {
      if (!runsImports(F.Runner))
        ImportRunners.push_back(F.Runner);
      uint32_t Pos = N.endByte();
      std::string Module;
      bool Relative = false;
      if (Type == "import_from_statement") {
        Node M = N.field("module_name");
        Relative = M.is("relative_import");
        Module = text(M).str();
      }
      Node ModuleName = Type == "import_from_statement" ? N.field("module_name") : Node();
      for (Node C : N.codeChildren()) {
        if (ModuleName && C == ModuleName)
          continue;
        if (C.is("wildcard_import")) {
          if (!Relative)
            StarModules.push_back(Module);
          continue;
        }
        Node Dotted = C, Alias;
        if (C.is("aliased_import")) {
          Dotted = C.field("name");
          Alias = C.field("alias");
        }
        if (!Dotted.is("dotted_name"))
          continue;
        llvm::StringRef Full = text(Dotted);
        std::string Qualified;
        Node BoundName;
        if (Type == "import_statement") {
          if (Alias) {
            Qualified = Full.str();
            BoundName = Alias;
          } else {
            // `import a.b.c` binds `a`, which stands for the package `a`.
            auto Parts = Dotted.codeChildren();
            if (Parts.empty())
              continue;
            BoundName = Parts.front();
            Qualified = text(BoundName).str();
          }
        } else {
          Qualified = Relative ? std::string() : Module + "." + Full.str();
          BoundName = Alias ? Alias : Dotted;
        }
        addBinding(F.Scope, text(BoundName),
                   Binding{BindingKind::Import, BoundName, Node(), Qualified, -1, Pos});
      }
      continue;
    }

    if (Type == "assignment") {
      // `a = b = value`: every target gets the final value.
      Node Cur = N;
      llvm::SmallVector<Node, 2> Targets;
      llvm::SmallVector<std::pair<Node, Node>, 2> Levels; // each assignment and its right side
      while (Cur.is("assignment")) {
        Targets.push_back(Cur.field("left"));
        Node R = Cur.field("right");
        Levels.push_back({Cur, R});
        Cur = R;
        if (!R.is("assignment"))
          break;
      }
      for (Node T : Targets) {
        bindTarget(T, Cur, BindingKind::Assignment, F.Scope, N.endByte());
        recordSelfAttribute(T, Cur, F.Scope);
      }
      // In a method's own body: `self.x = value`. Of a chain's levels only the last has a
      // value that is not an assignment: Cur.
      const Scope &Here = Scopes[F.Scope];
      if (Cur && Here.Kind == ScopeKind::Function && Here.Parent >= 0 &&
          Scopes[Here.Parent].Kind == ScopeKind::Class) {
        Node L = unparenthesize(Targets.back());
        if (L.is("attribute")) {
          Node O = unparenthesize(L.field("object"));
          if (O.is("identifier") && text(O) == "self")
            MethodSelfAssignments[Here.Parent][text(L.field("attribute"))].push_back({Cur, F.Scope});
        }
      }
      // The inner assignments of the chain are bound above: walk their parts, not them, or a
      // chain of n targets binds n*(n+1)/2 times (3,200 targets: 5 million bindings).
      llvm::SmallVector<Node, 8> Parts;
      for (auto [Level, Right] : Levels) {
        for (Node C : Level.namedChildren())
          if (!C.is("comment") && C != Right)
            Parts.push_back(C);
        if (!Right.is("assignment") && Right)
          Parts.push_back(Right);
      }
      // As in PushChildren, leaves and inert expressions hold nothing to visit.
      for (auto It = Parts.rbegin(); It != Parts.rend(); ++It)
        if (ts_node_child_count(It->raw()) != 0 && !isInertExpression(*It))
          Stack.push_back({*It, F.Scope, F.Runner, F.Top, F.Stmt, F.Guarded, F.Branch});
      continue;
    }
    if (Type == "named_expression") {
      bindTarget(N.field("name"), N.field("value"), BindingKind::Assignment, F.Scope, N.endByte());
      PushChildren(F, N);
      continue;
    }
    if (Type == "augmented_assignment") {
      bindTarget(N.field("left"), Node(), BindingKind::Other, F.Scope, N.endByte());
      recordSelfAttribute(N.field("left"), Node(), F.Scope);
      PushChildren(F, N);
      continue;
    }
    if (Type == "for_statement" || Type == "for_in_clause") {
      bindTarget(N.field("left"), Node(), BindingKind::Other, F.Scope, N.startByte());
      PushChildren(F, N);
      continue;
    }
    if (Type == "as_pattern") {
      Node Target = N.field("alias");
      auto Kids = N.codeChildren();
      Node Value = Kids.empty() ? Node() : Kids.front();
      Node Ident;
      for (Node C : Target.codeChildren())
        if (C.is("identifier"))
          Ident = C;
      if (Ident && Target.codeChildren().size() == 1)
        addBinding(F.Scope, text(Ident),
                   Binding{BindingKind::WithItem, Ident, Value, "", -1, N.endByte()});
      else
        bindTarget(Target, Node(), BindingKind::Other, F.Scope, N.endByte());
      PushChildren(F, N);
      continue;
    }
    if (Type == "except_clause") {
      if (Node Alias = N.field("alias"))
        bindTarget(Alias, Node(), BindingKind::Other, F.Scope, Alias.endByte());
    }
    if (Type == "global_statement") {
      for (Node C : N.codeChildren())
        if (C.is("identifier"))
          addBinding(F.Scope, text(C),
                     Binding{BindingKind::Global, C, Node(), "", -1, 0});
      continue;
    }

    if (Type == "if_statement") {
      bool Negated = false;
      bool Guard = F.Runner < 0 && isMainGuard(N.field("condition"), Negated);
      int Arm = 0;
      llvm::SmallVector<Frame, 4> Arms;
      Node Condition = N.field("condition");
      Arms.push_back({Condition, F.Scope, F.Runner, F.Top, F.Stmt, F.Guarded, F.Branch});
      for (Node C : N.codeChildren()) {
        if (C == Condition)
          continue;
        bool IsElse = C.is("elif_clause") || C.is("else_clause");
        bool G = F.Guarded || (Guard && (Negated ? IsElse : !IsElse));
        // elif conditions run as part of the else path of the earlier arms.
        Arms.push_back({C, F.Scope, F.Runner, F.Top, F.Stmt, G, NewArm(F, N, Arm++)});
      }
      for (auto It = Arms.rbegin(); It != Arms.rend(); ++It)
        Stack.push_back(*It);
      continue;
    }
    if (Type == "try_statement" || Type == "match_statement") {
      int Arm = 0;
      llvm::SmallVector<Frame, 4> Arms;
      Node Subject = N.field("subject");
      for (Node C : N.codeChildren()) {
        if (C.is("finally_clause") || C.is("else_clause") || (Subject && C == Subject)) {
          // finally runs on every path; else continues the body's path.
          Arms.push_back({C, F.Scope, F.Runner, F.Top, F.Stmt, F.Guarded, F.Branch});
          continue;
        }
        if (C.is("block") && Type == "match_statement") {
          for (Node Case : C.codeChildren())
            Arms.push_back(
                {Case, F.Scope, F.Runner, F.Top, F.Stmt, F.Guarded, NewArm(F, N, Arm++)});
          continue;
        }
        Arms.push_back({C, F.Scope, F.Runner, F.Top, F.Stmt, F.Guarded, NewArm(F, N, Arm++)});
      }
      for (auto It = Arms.rbegin(); It != Arms.rend(); ++It)
        Stack.push_back(*It);
      continue;
    }

    PushChildren(F, N);
  }
  CallMemos.resize(Calls.size());
  // Lookups binary-search each name's bindings by the position from which they hold.
  for (Scope &Sc : Scopes)
    for (auto &Entry : Sc.Names)
      std::stable_sort(Entry.second.begin(), Entry.second.end(),
                       [&](unsigned A, unsigned B) { return Bindings[A].Pos < Bindings[B].Pos; });
}

int SemanticModel::classOfSelf(unsigned S) const {
  int Fn = enclosingFunction(S);
  if (Fn < 0 || Scopes[Fn].Kind != ScopeKind::Function)
    return -1;
  int Parent = Scopes[Fn].Parent;
  return Parent >= 0 && Scopes[Parent].Kind == ScopeKind::Class ? Parent : -1;
}

void SemanticModel::recordSelfAttribute(Node Target, Node Value, unsigned S) {
  Target = unparenthesize(Target);
  if (!Target.is("attribute"))
    return;
  Node Obj = unparenthesize(Target.field("object"));
  if (!Obj.is("identifier") || text(Obj) != "self")
    return;
  int Cls = classOfSelf(S);
  if (Cls < 0)
    return;
  // A null value (augmented assignment) makes the attribute's type unknown.
  Scopes[Cls].SelfAttributes[text(Target.field("attribute"))].push_back({Value, S});
}

const Binding *SemanticModel::preferred(llvm::ArrayRef<unsigned> Ids, bool SameScope,
                                        uint32_t UsePos) const {
  if (Ids.empty())
    return nullptr;
  // `try: import x as m / except ImportError: m = None` must still resolve `m`: a binding
  // to None is a fallback, taken only when no nearby binding says more.
  auto IsNone = [&](const Binding &B) {
    return B.Kind == BindingKind::Assignment && text(unparenthesize(B.Value)) == "None";
  };
  // Ids are sorted by Pos: the candidates are those up to the use (same scope) or all.
  size_t End = Ids.size();
  if (SameScope)
    End = std::upper_bound(Ids.begin(), Ids.end(), UsePos,
                           [&](uint32_t P, unsigned Id) { return P < Bindings[Id].Pos; }) -
          Ids.begin();
  if (End == 0)
    // Used before any binding in its own scope (a loop, or a function body that runs
    // later): the first binding.
    return &Bindings[Ids.front()];
  // A few steps back at most: files that bind one name thousands of times stay linear.
  for (size_t I = End, Steps = 0; I > 0 && Steps < 8; --I, ++Steps)
    if (!IsNone(Bindings[Ids[I - 1]]))
      return &Bindings[Ids[I - 1]];
  return &Bindings[Ids[End - 1]];
}

const Binding *SemanticModel::lookup(llvm::StringRef Name, unsigned S, uint32_t UsePos) const {
  bool First = true;
  int Cur = S;
  while (Cur >= 0) {
    const Scope &Sc = Scopes[Cur];
    if (Sc.Kind == ScopeKind::Class && !First) {
      Cur = Sc.Parent;
      continue;
    }
    auto It = Sc.Names.find(Name);
    if (It != Sc.Names.end()) {
      const Binding *B = preferred(It->second, First, UsePos);
      if (B && B->Kind == BindingKind::Global) {
        Cur = 0;
        First = false;
        auto MIt = Scopes[0].Names.find(Name);
        return MIt == Scopes[0].Names.end() ? nullptr : preferred(MIt->second, false, UsePos);
      }
      return B;
    }
    First = false;
    Cur = Sc.Parent;
  }
  return nullptr;
}

std::string SemanticModel::qualifiedName(Node Expr, unsigned S) const {
  if (Expr.isNull())
    return "";
  auto It = QualifiedMemo.find(exprKey(Expr, S));
  if (It != QualifiedMemo.end())
    return It->second;
  std::string Q = qualifiedName(Expr, S, 0);
  QualifiedMemo.try_emplace(exprKey(Expr, S), Q);
  return Q;
}

std::string SemanticModel::qualifiedName(Node Expr, unsigned S, unsigned Depth) const {
  if (Depth > MaxResolveDepth)
    return "";
  llvm::SmallVector<llvm::StringRef, 4> Attrs;
  Node Cur = unparenthesize(Expr);
  while (Cur.is("attribute")) {
    Attrs.push_back(text(Cur.field("attribute")));
    Cur = unparenthesize(Cur.field("object"));
  }
  if (!Cur.is("identifier"))
    return "";
  std::string Suffix;
  for (auto It = Attrs.rbegin(); It != Attrs.rend(); ++It)
    Suffix += "." + It->str();
  llvm::StringRef Name = text(Cur);
  const Binding *B = lookup(Name, S, Cur.startByte());
  if (!B) {
    // `from multiprocessing import *` makes `get_context` mean multiprocessing.get_context;
    // only names the table knows are taken, as the module's contents are not known here.
    for (const std::string &M : StarModules) {
      std::string Candidate = M + "." + Name.str() + Suffix;
      if (Api.lookup(Candidate))
        return Candidate;
      std::string Base = M + "." + Name.str();
      if (Api.lookup(Base))
        return Candidate;
    }
    return "";
  }
  if (B->Kind == BindingKind::Import)
    return B->Qualified.empty() ? "" : B->Qualified + Suffix;
  if (B->Kind == BindingKind::Assignment && B->Value) {
    // `Pool = multiprocessing.Pool`: an alias made by assignment.
    Node V = unparenthesize(B->Value);
    if (V.is("identifier") || V.is("attribute")) {
      unsigned VS = S;
      // The value is resolved in the scope that holds the binding.
      for (int Sc = S; Sc >= 0; Sc = Scopes[Sc].Parent) {
        auto It = Scopes[Sc].Names.find(Name);
        if (It != Scopes[Sc].Names.end()) {
          VS = Sc;
          break;
        }
      }
      std::string Q = qualifiedName(V, VS, Depth + 1);
      return Q.empty() ? "" : Q + Suffix;
    }
  }
  return "";
}

std::string SemanticModel::calleeName(Node Callee, unsigned S) const {
  Budget = MaxResolveSteps;
  return calleeName(Callee, S, 0);
}

std::string SemanticModel::calleeName(Node Callee, unsigned S, unsigned Depth) const {
  Callee = unparenthesize(Callee);
  // At depth 0 the inner qualifiedName is the public one (it uses no budget): remembered.
  std::string Q = Depth == 0 ? qualifiedName(Callee, S) : qualifiedName(Callee, S, Depth);
  if (!Q.empty() || !Callee.is("attribute"))
    return Q;
  // A method of a receiver whose type is known: `pool.map`, `ctx.Pool`, `mp.Pool().map`.
  ReceiverType R = typeOf(Callee.field("object"), S, Depth + 1);
  if (R.Type.empty())
    return "";
  return R.Type + "." + text(Callee.field("attribute")).str();
}

llvm::SmallVector<const Param *, 2> SemanticModel::pickledParams(const CallSite &C, const ApiEntry &E) const {
  llvm::SmallVector<const Param *, 2> Out;
  if (!(E.Flags & (PicklesCallable | PicklesInitializer)))
    return Out;
  // A Process's target is pickled only when the child is not forked.
  bool IsProcess = E.Returns && llvm::StringRef(E.Returns) == types::Process;
  if (IsProcess && typeOf(C.Call, C.Scope).StartMethod == "fork")
    return Out;
  if (E.Callable.present() && (E.Flags & PicklesCallable))
    Out.push_back(&E.Callable);
  if (E.Initializer.present() && (E.Flags & PicklesInitializer))
    Out.push_back(&E.Initializer);
  return Out;
}

std::string SemanticModel::calleeName(const CallSite &C) const {
  int I = indexOf(C);
  if (I < 0)
    return calleeName(C.Callee, C.Scope);
  CallMemo &Memo = CallMemos[I];
  if (!Memo.HasName) {
    Memo.Name = calleeName(C.Callee, C.Scope);
    Memo.HasName = true;
  }
  return Memo.Name;
}

const ApiEntry *SemanticModel::apiOf(const CallSite &C) const {
  int I = indexOf(C);
  if (I >= 0 && CallMemos[I].HasApi)
    return CallMemos[I].Api;
  std::string Name = calleeName(C);
  const ApiEntry *E = Name.empty() ? nullptr : Api.lookup(Name);
  if (I >= 0) {
    CallMemos[I].Api = E;
    CallMemos[I].HasApi = true;
  }
  return E;
}

static int scopeHolding(const std::vector<Scope> &Scopes, llvm::StringRef Name, unsigned S) {
  for (int Sc = S; Sc >= 0; Sc = Scopes[Sc].Parent)
    if (Scopes[Sc].Names.count(Name))
      return Sc;
  return S;
}

std::string SemanticModel::startMethodOf(Node Call, const Param &P, unsigned S,
                                         unsigned Depth) const {
  if (!P.present())
    return "";
  Node Arg = argument(Call, P);
  if (Arg.isNull())
    return hasSplat(Call) ? "?" : "";
  Arg = unparenthesize(Arg);
  if (Arg.is("none"))
    return "";
  if (auto V = stringValue(Arg, S))
    return *V;
  ReceiverType R = typeOf(Arg, S, Depth + 1);
  if (R.Type == types::Context)
    return R.StartMethod;
  // `multiprocessing` itself (the default context) passed as a context.
  if (qualifiedName(Arg, S, Depth + 1) == "multiprocessing")
    return "";
  return "?";
}

ReceiverType SemanticModel::typeOf(Node Expr, unsigned S) const {
  if (Expr.isNull())
    return ReceiverType();
  auto It = TypeMemo.find(exprKey(Expr, S));
  if (It != TypeMemo.end())
    return It->second;
  Budget = MaxResolveSteps;
  ReceiverType R = typeOf(Expr, S, 0);
  TypeMemo.try_emplace(exprKey(Expr, S), R);
  return R;
}

ReceiverType SemanticModel::typeOf(Node Expr, unsigned S, unsigned Depth) const {
  ReceiverType R;
  if (Depth > MaxResolveDepth || Budget == 0)
    return R;
  --Budget;
  Expr = unparenthesize(Expr);
  if (Expr.is("identifier")) {
    const Binding *B = lookup(text(Expr), S, Expr.startByte());
    if (!B || !B->Value || (B->Kind != BindingKind::Assignment && B->Kind != BindingKind::WithItem))
      return R;
    // Every binding of the name in its scope must agree: `p = Pool()` here and
    // `p = ThreadPool()` there leaves the kind unknown.
    unsigned Holder = scopeHolding(Scopes, text(Expr), S);
    R = typeOf(B->Value, Holder, Depth + 1);
    auto It = Scopes[Holder].Names.find(text(Expr));
    // Names rebound very often (generated code) are not worth comparing: unknown.
    if (It != Scopes[Holder].Names.end() && It->second.size() > MaxAgreeingBindings)
      return ReceiverType();
    if (It != Scopes[Holder].Names.end() && It->second.size() > 1) {
      for (unsigned Id : It->second) {
        const Binding &O = Bindings[Id];
        if (&O == B)
          continue;
        if (O.Kind == BindingKind::Assignment && text(unparenthesize(O.Value)) == "None")
          continue;
        if (O.Kind == BindingKind::Global)
          continue;
        ReceiverType OR = (O.Kind == BindingKind::Assignment || O.Kind == BindingKind::WithItem)
                              ? typeOf(O.Value, Holder, Depth + 1)
                              : ReceiverType();
        if (OR.Type != R.Type || OR.LocalClass != R.LocalClass)
          return ReceiverType();
        if (OR.StartMethod != R.StartMethod)
          R.StartMethod = "?";
      }
    }
    return R;
  }
  if (Expr.is("attribute")) {
    // self.pool, where every `self.pool = ...` in the class's methods makes the same type.
    Node Obj = unparenthesize(Expr.field("object"));
    if (!Obj.is("identifier") || text(Obj) != "self")
      return R;
    int Cls = classOfSelf(S);
    if (Cls < 0)
      return R;
    auto It = Scopes[Cls].SelfAttributes.find(text(Expr.field("attribute")));
    if (It == Scopes[Cls].SelfAttributes.end() || It->second.size() > MaxAgreeingBindings)
      return R;
    bool First = true;
    for (const auto &[Value, ValueScope] : It->second) {
      if (Value && text(unparenthesize(Value)) == "None")
        continue;
      if (!Value)
        return ReceiverType();
      ReceiverType VR = typeOf(Value, ValueScope, Depth + 1);
      if (First) {
        R = VR;
        First = false;
        continue;
      }
      if (VR.Type != R.Type || VR.LocalClass != R.LocalClass)
        return ReceiverType();
      if (VR.StartMethod != R.StartMethod)
        R.StartMethod = "?";
    }
    return R;
  }
  if (!Expr.is("call"))
    return R;
  Node Callee = unparenthesize(Expr.field("function"));
  // A class defined in this file.
  if (Callee.is("identifier")) {
    const Binding *B = lookup(text(Callee), S, Callee.startByte());
    if (B && B->Kind == BindingKind::Class) {
      R.LocalClass = B->DefinedScope;
      // A subclass of a known type behaves as that type (class Worker(mp.Process)).
      const Scope &Cls = Scopes[B->DefinedScope];
      for (Node Base : Cls.Bases.codeChildren()) {
        if (Base.is("keyword_argument"))
          continue;
        std::string BQ = qualifiedName(Base, Cls.Parent, Depth + 1);
        if (BQ.empty())
          continue;
        const ApiEntry *E = Api.lookup(BQ);
        R.Type = E && E->Returns ? E->Returns : BQ;
        break;
      }
      return R;
    }
  }
  std::string Name = calleeName(Callee, S, Depth + 1);
  if (Name.empty())
    return R;
  const ApiEntry *E = Api.lookup(Name);
  if (!E) {
    R.Type = Name; // an instance of whatever was called (a library class)
    return R;
  }
  if (!E->Returns)
    return R;
  R.Type = E->Returns;
  if (E->StartMethod.present()) {
    R.StartMethod = startMethodOf(Expr, E->StartMethod, S, Depth);
  } else if (Callee.is("attribute")) {
    // ctx.Pool(), ctx.Process(): the context's start method.
    ReceiverType Ctx = typeOf(Callee.field("object"), S, Depth + 1);
    if (Ctx.Type == types::Context)
      R.StartMethod = Ctx.StartMethod;
  }
  return R;
}

std::optional<std::string> SemanticModel::stringValue(Node Expr, unsigned S) const {
  Expr = unparenthesize(Expr);
  if (Expr.is("identifier")) {
    const Binding *B = lookup(text(Expr), S, Expr.startByte());
    if (!B || B->Kind != BindingKind::Assignment || !B->Value)
      return std::nullopt;
    unsigned Holder = scopeHolding(Scopes, text(Expr), S);
    auto It = Scopes[Holder].Names.find(text(Expr));
    if (It == Scopes[Holder].Names.end() || It->second.size() != 1)
      return std::nullopt;
    Node V = unparenthesize(B->Value);
    if (!V.is("string") && !V.is("concatenated_string"))
      return std::nullopt;
    return stringValue(V, Holder);
  }
  llvm::SmallVector<Node, 4> Parts;
  if (Expr.is("string"))
    Parts.push_back(Expr);
  else if (Expr.is("concatenated_string"))
    for (Node C : Expr.codeChildren())
      Parts.push_back(C);
  else
    return std::nullopt;
  std::string Value;
  for (Node P : Parts) {
    if (!P.is("string"))
      return std::nullopt;
    bool Raw = false;
    for (Node C : P.children()) {
      if (C.is("string_start")) {
        llvm::StringRef Prefix =
            text(C).take_while([](char Ch) { return Ch != '"' && Ch != '\''; });
        if (Prefix.find_first_of("bBfFtT") != llvm::StringRef::npos)
          return std::nullopt;
        Raw = Prefix.find_first_of("rR") != llvm::StringRef::npos;
      } else if (C.is("interpolation")) {
        return std::nullopt;
      } else if (C.is("string_content")) {
        llvm::StringRef T = text(C);
        if (!Raw && T.contains('\\'))
          return std::nullopt; // escapes: not worth decoding for the names compared here
        Value += T.str();
      }
    }
  }
  return Value;
}

Node SemanticModel::argument(Node Call, const Param &P) const {
  Node Args = Call.field("arguments");
  if (!Args.is("argument_list"))
    return Node();
  int Index = 0;
  bool SplatBefore = false;
  for (Node A : Args.codeChildren()) {
    if (A.is("keyword_argument")) {
      if (P.Keyword && text(A.field("name")) == P.Keyword)
        return A.field("value");
      continue;
    }
    if (A.is("dictionary_splat"))
      continue;
    if (A.is("list_splat")) {
      SplatBefore = true;
      continue;
    }
    if (!SplatBefore && P.Position >= 0 && Index == P.Position)
      return A;
    ++Index;
  }
  if (!P.Keyword)
    return Node();
  // f(**kw) with kw = dict(key=value) / {"key": value} / kw["key"] = value before the call.
  for (Node A : Args.codeChildren())
    if (A.is("dictionary_splat"))
      for (Node Inner : A.codeChildren())
        if (Node V = splatKeyword(Call, unparenthesize(Inner), P.Keyword))
          return V;
  return Node();
}

/// The value given to Key in the dictionary D (a `dict(...)` call or a `{...}` display).
static Node dictEntry(const SyntaxTree &Tree, Node D, llvm::StringRef Key) {
  if (D.is("call") && Tree.text(D.field("function")) == "dict") {
    for (Node A : D.field("arguments").codeChildren())
      if (A.is("keyword_argument") && Tree.text(A.field("name")) == Key)
        return A.field("value");
    return Node();
  }
  if (D.is("dictionary"))
    for (Node Pair : D.codeChildren()) {
      Node K = Pair.field("key");
      if (!Pair.is("pair") || !K.is("string"))
        continue;
      llvm::StringRef T = Tree.text(K);
      if (T.size() >= 2 && T.drop_front().drop_back() == Key && T.front() == T.back())
        return Pair.field("value");
    }
  return Node();
}

Node SemanticModel::splatKeyword(Node Call, Node Dict, llvm::StringRef Key) const {
  if (Dict.is("call") || Dict.is("dictionary"))
    return dictEntry(Tree, Dict, Key);
  if (!Dict.is("identifier"))
    return Node();
  llvm::StringRef Name = text(Dict);
  // The body the call is in (not into nested definitions), before the call.
  Node Body = Call;
  while (Body && !Body.is("function_definition") && !Body.is("module"))
    Body = parentOf(Body);
  if (!Body)
    return Node();
  if (Body.is("function_definition"))
    Body = Body.field("body");
  Node Found;
  uint32_t FoundAt = 0;
  llvm::SmallVector<Node, 32> Work{Body};
  unsigned Steps = 0;
  while (!Work.empty() && ++Steps < 20000) {
    Node N = Work.pop_back_val();
    if (N.startByte() >= Call.startByte())
      continue;
    if (N != Body && (N.is("function_definition") || N.is("class_definition") || N.is("lambda")))
      continue;
    if (N.is("assignment")) {
      Node L = unparenthesize(N.field("left")), R = unparenthesize(N.field("right"));
      Node V;
      if (L.is("identifier") && text(L) == Name && R) {
        if (R.is("call") || R.is("dictionary")) {
          V = dictEntry(Tree, R, Key);
          if (!V && N.startByte() >= FoundAt) { // rebound without the key
            Found = Node();
            FoundAt = N.startByte();
          }
        }
      } else if (L.is("subscript") && text(unparenthesize(L.field("value"))) == Name) {
        Node Sub = L.field("subscript");
        llvm::StringRef T = Sub ? text(Sub) : "";
        if (T.size() >= 2 && (T.front() == '"' || T.front() == '\'') && T.front() == T.back() &&
            T.drop_front().drop_back() == Key)
          V = N.field("right");
      }
      if (V && N.startByte() >= FoundAt) {
        Found = V;
        FoundAt = N.startByte();
      }
    }
    for (Node C : N.namedChildren())
      Work.push_back(C);
  }
  return Found;
}

bool SemanticModel::hasSplat(Node Call) const {
  for (Node A : Call.field("arguments").codeChildren())
    if (A.is("list_splat") || A.is("dictionary_splat"))
      return true;
  return false;
}

Node SemanticModel::parentOf(Node N) const {
  if (N.isNull())
    return Node();
  uint32_t Begin = N.startByte(), End = N.endByte();
  const std::vector<Node> &Tops = Scopes[0].Statements;
  auto It = std::upper_bound(Tops.begin(), Tops.end(), Begin,
                             [](uint32_t B, Node T) { return B < T.startByte(); });
  if (It == Tops.begin() || Begin == End)
    return Node(ts_node_parent(N.raw()));
  Node Top = *(It - 1);
  if (Top == N)
    return Tree.root();
  if (Top.endByte() < End)
    return Node(ts_node_parent(N.raw()));
  // Down from Top through the child that holds N's first byte, to N. Anything unexpected (a
  // child that does not hold N) falls back to tree-sitter's own search.
  Node Found;
  TSTreeCursor C = ts_tree_cursor_new(Top.raw());
  Node Parent = Top;
  while (ts_tree_cursor_goto_first_child_for_byte(&C, Begin) >= 0) {
    Node Cur(ts_tree_cursor_current_node(&C));
    if (Cur == N) {
      Found = Parent;
      break;
    }
    if (Cur.startByte() > Begin || Cur.endByte() < End)
      break;
    Parent = Cur;
  }
  ts_tree_cursor_delete(&C);
  return Found ? Found : Node(ts_node_parent(N.raw()));
}

int SemanticModel::enclosingFunction(int S) const {
  while (S >= 0 && Scopes[S].Kind != ScopeKind::Function && Scopes[S].Kind != ScopeKind::Lambda)
    S = Scopes[S].Parent;
  return S;
}

int SemanticModel::calledFunction(const CallSite &C) const {
  int I = indexOf(C);
  if (I >= 0 && CallMemos[I].HasFunction)
    return CallMemos[I].Function;
  int F = calledFunctionUncached(C);
  if (I >= 0) {
    CallMemos[I].Function = F;
    CallMemos[I].HasFunction = true;
  }
  return F;
}

int SemanticModel::calledFunctionUncached(const CallSite &C) const {
  Node Callee = unparenthesize(C.Callee);
  if (Callee.is("identifier")) {
    const Binding *B = lookup(text(Callee), C.Scope, Callee.startByte());
    if (!B)
      return -1;
    if (B->Kind == BindingKind::Function)
      return B->DefinedScope;
    if (B->Kind == BindingKind::Class) {
      auto It = Scopes[B->DefinedScope].Names.find("__init__");
      if (It != Scopes[B->DefinedScope].Names.end()) {
        const Binding &Init = Bindings[It->second.back()];
        if (Init.Kind == BindingKind::Function)
          return Init.DefinedScope;
      }
    }
    return -1;
  }
  if (Callee.is("attribute")) {
    // self.method() inside a method: the method of the same class.
    Node Obj = unparenthesize(Callee.field("object"));
    if (!Obj.is("identifier") || text(Obj) != "self")
      return -1;
    return methodOf(classOfSelf(C.Scope), text(Callee.field("attribute")));
  }
  return -1;
}

int SemanticModel::calledMethodOfLocalInstance(const CallSite &C) const {
  // runner = Runner(); runner.start_all(): the method of the file's class.
  Node Callee = unparenthesize(C.Callee);
  if (!Callee.is("attribute"))
    return -1;
  return methodOf(typeOf(Callee.field("object"), C.Scope).LocalClass, text(Callee.field("attribute")));
}

int SemanticModel::methodOf(int Cls, llvm::StringRef Name) const {
  if (Cls < 0 || Scopes[Cls].Kind != ScopeKind::Class)
    return -1;
  auto It = Scopes[Cls].Names.find(Name);
  if (It == Scopes[Cls].Names.end())
    return -1;
  const Binding &B = Bindings[It->second.back()];
  return B.Kind == BindingKind::Function ? B.DefinedScope : -1;
}

const std::vector<ImportTimeCall> &SemanticModel::importTimeCalls() const {
  if (ImportTime)
    return *ImportTime;
  ImportTime.emplace();
  std::vector<ImportTimeCall> &Out = *ImportTime;
  // Entry[F]: the call through which function scope F was first reached (breadth first,
  // so chains are shortest); -2: not reached.
  std::vector<int> Entry(Scopes.size(), -2);
  llvm::DenseMap<int, llvm::SmallVector<unsigned, 8>> CallsByRunner;
  for (unsigned I = 0; I < Calls.size(); ++I)
    CallsByRunner[Calls[I].Runner].push_back(I);

  std::deque<unsigned> Work;
  auto Reach = [&](unsigned CallId, llvm::SmallVector<unsigned, 4> Chain) {
    Out.push_back({CallId, std::move(Chain)});
    Work.push_back(Out.size() - 1);
  };
  for (unsigned I : CallsByRunner.lookup(-1))
    if (!Calls[I].Guarded)
      Reach(I, {});
  while (!Work.empty()) {
    ImportTimeCall Cur = Out[Work.front()];
    Work.pop_front();
    int Target = calledFunction(Calls[Cur.Call]);
    if (Target < 0)
      Target = calledMethodOfLocalInstance(Calls[Cur.Call]);
    if (Target < 0 || Entry[Target] != -2)
      continue;
    Entry[Target] = Cur.Call;
    llvm::SmallVector<unsigned, 4> Chain = Cur.Chain;
    Chain.push_back(Cur.Call);
    for (unsigned I : CallsByRunner.lookup(Target))
      if (!Calls[I].Guarded)
        Reach(I, Chain);
  }
  return Out;
}

bool SemanticModel::exclusiveBranches(int A, int B) const {
  llvm::DenseMap<const void *, int> ArmOf;
  for (int X = A; X >= 0; X = Branches[X].Parent)
    ArmOf[Branches[X].Statement] = Branches[X].Arm;
  for (int Y = B; Y >= 0; Y = Branches[Y].Parent) {
    auto It = ArmOf.find(Branches[Y].Statement);
    if (It != ArmOf.end() && It->second != Branches[Y].Arm)
      return true;
  }
  return false;
}

std::string SemanticModel::processStartMethod(const CallSite &C, const ApiEntry &E,
                                              const ReceiverType *Receiver) const {
  if (E.Returns)
    return typeOf(C.Call, C.Scope).StartMethod;
  Node Callee = unparenthesize(C.Callee);
  if (Callee.is("attribute")) {
    ReceiverType R = Receiver ? *Receiver : typeOf(Callee.field("object"), C.Scope);
    if (R.Type == types::Process || R.Type == types::ProcessPool || R.Type == types::ProcessExecutor)
      return R.StartMethod;
  }
  if (E.StartMethod.present()) {
    // torch.multiprocessing.spawn and start_processes default to "spawn".
    Node Arg = argument(C.Call, E.StartMethod);
    if (Arg.isNull())
      return hasSplat(C.Call) ? "?" : "spawn";
    auto V = stringValue(Arg, C.Scope);
    return V ? *V : "?";
  }
  return "?"; // a library entry point: its start method is its own business
}

} // namespace python
} // namespace forksafe
