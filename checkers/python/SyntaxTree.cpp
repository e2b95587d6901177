//===--- SyntaxTree.cpp ---------------------------------------------------===//
#include "python/SyntaxTree.h"

#include <algorithm>
#include <cstring>
#include <vector>

extern "C" const TSLanguage *tree_sitter_python(void);

namespace forksafe {
namespace python {

/// The grammar's id of field Name. tree-sitter finds it by comparing Name with every field
/// name of the language, on every call, which cost about 7 % of an analysis. Names are
/// string literals at the call sites, so a small per-thread table keyed by the literal's
/// address remembers each answer; the stored name is compared again, so a pointer reused
/// for other text is only a miss.
static TSFieldId fieldId(const char *Name) {
  struct Slot {
    const char *Name = nullptr;
    TSFieldId Id = 0;
  };
  constexpr unsigned Slots = 64;
  static thread_local Slot Table[Slots];
  static const TSLanguage *const Language = tree_sitter_python();
  Slot &S = Table[(reinterpret_cast<uintptr_t>(Name) >> 3) % Slots];
  if (S.Name == Name) {
    const char *Known = ts_language_field_name_for_id(Language, S.Id);
    if (Known && std::strcmp(Known, Name) == 0)
      return S.Id;
  }
  TSFieldId Id = ts_language_field_id_for_name(Language, Name, uint32_t(std::strlen(Name)));
  if (Id) {
    S.Name = Name;
    S.Id = Id;
  }
  return Id;
}

Node Node::field(const char *Name) const {
  if (isNull())
    return Node();
  TSFieldId Id = fieldId(Name);
  if (!Id)
    return Node();
  return Node(ts_node_child_by_field_id(N, Id));
}

static const std::vector<llvm::StringRef> &typeNameTable() {
  // ts_node_symbol gives the public symbol (aliases resolved), whose name is ts_node_type's.
  static const std::vector<llvm::StringRef> Names = [] {
    const TSLanguage *L = tree_sitter_python();
    std::vector<llvm::StringRef> V(ts_language_symbol_count(L));
    for (TSSymbol I = 0; I < V.size(); ++I)
      if (const char *Name = ts_language_symbol_name(L, I))
        V[I] = Name;
    return V;
  }();
  return Names;
}

const llvm::StringRef *const Node::TypeNames = typeNameTable().data();
const unsigned Node::TypeNameCount = typeNameTable().size();

llvm::StringRef Node::typeName(TSSymbol S) {
  // ERROR and the other built-in symbols outside the table (or a table not made yet).
  const char *Name = ts_language_symbol_name(tree_sitter_python(), S);
  return Name ? llvm::StringRef(Name) : llvm::StringRef();
}

/// Up to this many children, a node's children are asked for by index (see collect).
constexpr uint32_t SmallNodeChildren = 3;

template <typename Pred> static llvm::SmallVector<Node, 8> collect(TSNode N, Pred Keep) {
  llvm::SmallVector<Node, 8> Out;
  if (ts_node_is_null(N))
    return Out;
  uint32_t Count = ts_node_child_count(N);
  if (Count == 0)
    return Out;
  // A few children: asked for by index. ts_node_child(i) scans the children before i, but
  // each step costs a fraction of a cursor step (which re-walks its stack), so for small
  // nodes, the most frequent, this is cheaper than the cursor; the children and their order
  // are the same.
  if (Count <= SmallNodeChildren) {
    for (uint32_t I = 0; I < Count; ++I) {
      Node Child(ts_node_child(N, I));
      if (Keep(Child))
        Out.push_back(Child);
    }
    return Out;
  }
  // One cursor per thread, reset for each walk: ts_tree_cursor_new allocates its stack, and
  // children are asked for hundreds of thousands of times per file. Nothing below calls back
  // into collect() while the cursor is in use.
  struct CursorHolder {
    TSTreeCursor C;
    bool Made = false;
    ~CursorHolder() {
      if (Made)
        ts_tree_cursor_delete(&C);
    }
  };
  thread_local CursorHolder H;
  if (!H.Made) {
    H.C = ts_tree_cursor_new(N);
    H.Made = true;
  } else {
    ts_tree_cursor_reset(&H.C, N);
  }
  TSTreeCursor &C = H.C;
  if (ts_tree_cursor_goto_first_child(&C)) {
    do {
      Node Child(ts_tree_cursor_current_node(&C));
      if (Keep(Child))
        Out.push_back(Child);
    } while (ts_tree_cursor_goto_next_sibling(&C));
  }
  return Out;
}

llvm::SmallVector<Node, 8> Node::children() const {
  return collect(N, [](Node) { return true; });
}

llvm::SmallVector<Node, 8> Node::namedChildren() const {
  return collect(N, [](Node C) { return C.isNamed(); });
}

llvm::SmallVector<Node, 8> Node::codeChildren() const {
  return collect(N, [](Node C) { return C.isNamed() && !C.is("comment"); });
}

static TSTree *parseWithThreadParser(llvm::StringRef Text, const TSTree *Old = nullptr) {
  struct ParserDeleter {
    void operator()(TSParser *P) const { ts_parser_delete(P); }
  };
  // One parser per thread: creating one is cheap next to parsing, but reuse avoids the
  // allocation churn when the driver analyses thousands of files.
  thread_local std::unique_ptr<TSParser, ParserDeleter> Parser;
  if (!Parser) {
    Parser.reset(ts_parser_new());
    ts_parser_set_language(Parser.get(), tree_sitter_python());
  }
  try {
    return ts_parser_parse_string(Parser.get(), Old, Text.data(),
                                  static_cast<uint32_t>(Text.size()));
  } catch (...) {
    // Out of memory inside tree-sitter (driver/OutOfMemory.cpp): the parser's state is
    // unknown, so it is abandoned, not reused or freed.
    (void)Parser.release();
    throw;
  }
}

std::string joinBracketedLines(llvm::StringRef Source) {
  std::string Out = Source.str();
  size_t Depth = 0;
  size_t I = 0, N = Out.size();
  while (I < N) {
    char C = Out[I];
    if (C == '#') {
      size_t End = Out.find('\n', I);
      if (End == std::string::npos)
        End = N;
      if (Depth > 0)
        for (size_t J = I; J < End; ++J)
          Out[J] = ' ';
      I = End;
      continue;
    }
    if (C == '"' || C == '\'') {
      bool Triple = I + 2 < N && Out[I + 1] == C && Out[I + 2] == C;
      size_t J = I + (Triple ? 3 : 1);
      while (J < N) {
        if (Out[J] == '\\') {
          J += 2;
          continue;
        }
        if (Out[J] == C && (!Triple || (J + 2 < N && Out[J + 1] == C && Out[J + 2] == C))) {
          J += Triple ? 3 : 1;
          break;
        }
        if (!Triple && Out[J] == '\n')
          break; // unterminated: the line ends it
        ++J;
      }
      I = J;
      continue;
    }
    if (C == '(' || C == '[' || C == '{')
      ++Depth;
    else if ((C == ')' || C == ']' || C == '}') && Depth > 0)
      --Depth;
    else if ((C == '\n' || C == '\r') && Depth > 0)
      Out[I] = ' ';
    ++I;
  }
  return Out;
}

SyntaxTree SyntaxTree::parse(llvm::StringRef Source, KeptTree *Kept) {
  SyntaxTree T;
  T.Source = Source;
  T.Tree.reset(parseWithThreadParser(Source, Kept ? Kept->Tree.get() : nullptr));
  if (Kept)
    Kept->Tree.reset(T.Tree ? ts_tree_copy(T.Tree.get()) : nullptr);
  if (!T.valid() || !T.root().hasError())
    return T;
  std::string Joined = joinBracketedLines(Source);
  if (Joined == Source)
    return T;
  std::unique_ptr<TSTree, Deleter> Second(parseWithThreadParser(Joined));
  if (Second && !ts_node_has_error(ts_tree_root_node(Second.get()))) {
    T.Tree = std::move(Second);
    T.Joined = true;
  }
  return T;
}

Position SyntaxTree::position(uint32_t Offset) const {
  if (LineStarts.empty()) {
    LineStarts.push_back(0);
    for (size_t I = Source.find('\n'); I != llvm::StringRef::npos; I = Source.find('\n', I + 1))
      LineStarts.push_back(I + 1);
  }
  auto It = std::upper_bound(LineStarts.begin(), LineStarts.end(), Offset);
  unsigned Line = It - LineStarts.begin();
  return Position{Line, Offset - LineStarts[Line - 1] + 1};
}

Node SyntaxTree::firstError() const {
  Node Root = root();
  if (!Root.hasError())
    return Node();
  // Descend, always into the first child (in document order) that is or contains an error,
  // down to the innermost one: tree-sitter often wraps a whole region, even the whole file,
  // in an ERROR node whose real cause is deep inside. Iterative.
  Node Cur = Root;
  while (true) {
    if (Cur.isMissing())
      return Cur;
    Node Next;
    for (Node C : Cur.children())
      if (C.isMissing() || C.is("ERROR") || C.hasError()) {
        Next = C;
        break;
      }
    if (Next.isNull())
      return Cur; // an ERROR node whose parts all parse: the node itself is the culprit
    Cur = Next;
  }
}

} // namespace python
} // namespace forksafe
