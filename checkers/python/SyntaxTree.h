//===--- SyntaxTree.h - Owned tree-sitter parse of one Python file ----------===//
//
// A thin value wrapper over tree-sitter's TSNode and an owning SyntaxTree. Everything that
// walks the tree does so iteratively (TSTreeCursor or an explicit stack): inputs nest
// expressions tens of thousands deep, and recursion would overflow the stack.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_PYTHON_SYNTAXTREE_H
#define FORKSAFE_PYTHON_SYNTAXTREE_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <tree_sitter/api.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace forksafe {
namespace python {

class Node {
public:
  Node() : N{} {}
  explicit Node(TSNode N) : N(N) {}

  bool isNull() const { return ts_node_is_null(N); }
  explicit operator bool() const { return !isNull(); }
  /// The node's type name. Looked up in a table of the grammar's names made once (with their
  /// lengths), not through tree-sitter's symbol_name and strlen on every call: is() is the
  /// most frequent question the analyses ask.
  llvm::StringRef type() const {
    if (isNull())
      return llvm::StringRef();
    TSSymbol S = ts_node_symbol(N);
    return S < TypeNameCount ? TypeNames[S] : typeName(S);
  }
  bool is(llvm::StringRef Type) const { return !isNull() && type() == Type; }
  bool isNamed() const { return ts_node_is_named(N); }
  bool isMissing() const { return ts_node_is_missing(N); }
  bool hasError() const { return ts_node_has_error(N); }

  uint32_t startByte() const { return ts_node_start_byte(N); }
  uint32_t endByte() const { return ts_node_end_byte(N); }
  /// 1-based line and byte column, as reported to users.
  unsigned line() const { return ts_node_start_point(N).row + 1; }
  unsigned column() const { return ts_node_start_point(N).column + 1; }
  unsigned endLine() const { return ts_node_end_point(N).row + 1; }
  unsigned endColumn() const { return ts_node_end_point(N).column + 1; }

  Node field(const char *Name) const;
  unsigned childCount() const { return ts_node_child_count(N); }

  /// Direct children in order (a cursor walk: ts_node_child(i) is linear in i in this
  /// tree-sitter version, so indexing in a loop would be quadratic).
  llvm::SmallVector<Node, 8> children() const;
  llvm::SmallVector<Node, 8> namedChildren() const;
  /// Named children that are not comments.
  llvm::SmallVector<Node, 8> codeChildren() const;

  /// Stable identity within one tree.
  const void *id() const { return N.id; }
  bool operator==(const Node &O) const { return ts_node_eq(N, O.N); }
  bool operator!=(const Node &O) const { return !(*this == O); }
  TSNode raw() const { return N; }

private:
  static llvm::StringRef typeName(TSSymbol S);
  /// The grammar's type names by symbol, made before main (SyntaxTree.cpp).
  static const llvm::StringRef *const TypeNames;
  static const unsigned TypeNameCount;
  TSNode N;
};

/// A 1-based line and byte column.
struct Position {
  unsigned Line = 0, Column = 0;
};

/// A buffer's last parse, kept by the language server between edits: edit() is told about each
/// change (byte offsets and points of the text it was parsed from), and the next
/// SyntaxTree::parse(Source, &Kept) re-parses only what the edits touched.
class KeptTree {
public:
  void edit(const TSInputEdit &E) {
    if (Tree)
      ts_tree_edit(Tree.get(), &E);
  }
  void reset() { Tree.reset(); }

private:
  friend class SyntaxTree;
  struct Deleter {
    void operator()(TSTree *T) const { ts_tree_delete(T); }
  };
  std::unique_ptr<TSTree, Deleter> Tree;
};

class SyntaxTree {
public:
  /// Parses Source (UTF-8). Source must outlive the tree.
  ///
  /// The pinned grammar's scanner emits a dedent for a line inside brackets that is
  /// indented less than its block when the line before ends in an operator or a dot
  /// (`(bar.\n  baz)`), which Python accepts. When the first parse has errors, the file is
  /// parsed again with the line breaks inside brackets turned into spaces (what Python's
  /// implicit line joining does anyway; comments there become spaces too). If that parse
  /// is clean, it is the tree: byte offsets are unchanged, and positions() come from the
  /// original text.
  ///
  /// With Kept, the first parse starts from Kept's edited tree (incremental), and Kept then
  /// holds that parse for the next edit.
  static SyntaxTree parse(llvm::StringRef Source, KeptTree *Kept = nullptr);

  /// False only if tree-sitter returned no tree at all (it does not, short of running out
  /// of memory); nothing else may be called then.
  bool valid() const { return Tree != nullptr; }
  Node root() const { return Node(ts_tree_root_node(Tree.get())); }
  llvm::StringRef source() const { return Source; }
  llvm::StringRef text(Node N) const {
    if (N.isNull())
      return "";
    return Source.slice(N.startByte(), N.endByte());
  }

  /// The first ERROR or MISSING node in document order, or a null node.
  Node firstError() const;

  /// Line and column of a byte offset in the original source. Use these, not the
  /// node's own points, which count the lines of the text that was parsed.
  Position position(uint32_t Offset) const;
  Position start(Node N) const { return position(N.startByte()); }
  Position end(Node N) const { return position(N.endByte()); }
  /// Whether the tree comes from the second, line-joined parse.
  bool joinedLines() const { return Joined; }

private:
  struct Deleter {
    void operator()(TSTree *T) const { ts_tree_delete(T); }
  };
  std::unique_ptr<TSTree, Deleter> Tree;
  llvm::StringRef Source;
  bool Joined = false;
  mutable std::vector<uint32_t> LineStarts; ///< built on first position()
};

/// Source with every line break inside brackets (outside strings) and every comment
/// inside brackets replaced by spaces, byte for byte.
std::string joinBracketedLines(llvm::StringRef Source);

} // namespace python
} // namespace forksafe

#endif
