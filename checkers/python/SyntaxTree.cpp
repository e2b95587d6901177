//===--- SyntaxTree.cpp ---------------------------------------------------===//
#include "python/SyntaxTree.h"

#include <cstring>

extern "C" const TSLanguage *tree_sitter_python(void);

namespace forksafe {
namespace python {

Node Node::field(const char *Name) const {
  if (isNull())
    return Node();
  return Node(ts_node_child_by_field_name(N, Name, std::strlen(Name)));
}

template <typename Pred> static llvm::SmallVector<Node, 8> collect(TSNode N, Pred Keep) {
  llvm::SmallVector<Node, 8> Out;
  if (ts_node_is_null(N))
    return Out;
  TSTreeCursor C = ts_tree_cursor_new(N);
  if (ts_tree_cursor_goto_first_child(&C)) {
    do {
      Node Child(ts_tree_cursor_current_node(&C));
      if (Keep(Child))
        Out.push_back(Child);
    } while (ts_tree_cursor_goto_next_sibling(&C));
  }
  ts_tree_cursor_delete(&C);
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

SyntaxTree SyntaxTree::parse(llvm::StringRef Source) {
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
  SyntaxTree T;
  T.Source = Source;
  T.Tree.reset(ts_parser_parse_string(Parser.get(), nullptr, Source.data(),
                                      static_cast<uint32_t>(Source.size())));
  return T;
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
