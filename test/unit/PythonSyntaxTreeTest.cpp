//===--- PythonSyntaxTreeTest.cpp - The tree-sitter front end ---------------===//
#include "python/SyntaxTree.h"

#include "gtest/gtest.h"

#include <string>
#include <vector>

using namespace forksafe::python;

namespace {

TEST(PythonSyntaxTree, JoinsLinesOnlyInsideBrackets) {
  std::string Src = "a = (1,  # note\n 2)\nb = 3\nc = '''(\n'''\nd = [\"(\", ')'\n]\n";
  std::string J = joinBracketedLines(Src);
  ASSERT_EQ(J.size(), Src.size());
  // "  # note\n " becomes ten spaces; the string's '(' and the lines outside brackets stay.
  EXPECT_EQ(J, "a = (1," + std::string(10, ' ') + "2)\nb = 3\nc = '''(\n'''\nd = [\"(\", ')' ]\n");
}

TEST(PythonSyntaxTree, DedentedContinuationParsesAndKeepsPositions) {
  std::string Src = "def f():\n    return (a.\n b)\nx = 1\n";
  SyntaxTree T = SyntaxTree::parse(Src);
  EXPECT_TRUE(T.joinedLines());
  EXPECT_TRUE(T.firstError().isNull());
  size_t X = Src.find("x = 1");
  Position P = T.position(X);
  EXPECT_EQ(P.Line, 4u);
  EXPECT_EQ(P.Column, 1u);
}

TEST(PythonSyntaxTree, RealErrorsStayErrors) {
  std::string Src = "x = (1,\n  2 3)\n";
  SyntaxTree T = SyntaxTree::parse(Src);
  EXPECT_FALSE(T.joinedLines());
  Node E = T.firstError();
  ASSERT_FALSE(E.isNull());
  EXPECT_EQ(T.start(E).Line, 2u);
}

TEST(PythonSyntaxTree, FirstErrorIsTheInnermost) {
  // tree-sitter wraps much of this file in one ERROR node; the report is at the cause.
  std::string Src = "import os\n\ndef f(:\n    pass\n\nx = 1\n";
  SyntaxTree T = SyntaxTree::parse(Src);
  Node E = T.firstError();
  ASSERT_FALSE(E.isNull());
  EXPECT_EQ(T.start(E).Line, 3u);
}

TEST(PythonSyntaxTree, PositionsAreOneBasedBytes) {
  std::string Src = "x = 'é'\ny = 1";
  SyntaxTree T = SyntaxTree::parse(Src);
  EXPECT_EQ(T.position(0).Line, 1u);
  EXPECT_EQ(T.position(0).Column, 1u);
  size_t Y = Src.find('y');
  EXPECT_EQ(T.position(Y).Line, 2u);
  EXPECT_EQ(T.position(Y).Column, 1u);
  EXPECT_EQ(T.position(Src.size()).Column, 6u); // end of file: after the last byte
}

TEST(PythonSyntaxTree, ChildrenAndTypesAsTreeSitterGivesThem) {
  // Small and large nodes, hidden nodes of the grammar (supertypes), aliases, comments
  // (extras), an ERROR, and a MISSING node.
  std::string Src = "import os, sys as s\n@d(1)\nclass C(B, metaclass=M):\n    # c\n"
                    "    def f(self, a, *b, c=1, **d) -> int:\n        return [x for x in a if x] or {1: 2}\n"
                    "x = f'{a!r:>{w}}' 'b' # t\nif (y := 2): pass\nelse: z = -1\n"
                    "def g(:\n    return )\nprint(1\n";
  SyntaxTree T = SyntaxTree::parse(Src);
  std::vector<Node> Work{T.root()};
  unsigned Nodes = 0;
  while (!Work.empty()) {
    Node N = Work.back();
    Work.pop_back();
    ++Nodes;
    EXPECT_EQ(N.type(), llvm::StringRef(ts_node_type(N.raw())));
    // The children by a cursor, as tree-sitter walks them.
    std::vector<Node> Want;
    TSTreeCursor C = ts_tree_cursor_new(N.raw());
    if (ts_tree_cursor_goto_first_child(&C))
      do
        Want.push_back(Node(ts_tree_cursor_current_node(&C)));
      while (ts_tree_cursor_goto_next_sibling(&C));
    ts_tree_cursor_delete(&C);
    auto Got = N.children();
    ASSERT_EQ(Got.size(), Want.size()) << N.type().str();
    for (size_t I = 0; I < Want.size(); ++I) {
      EXPECT_TRUE(Got[I] == Want[I]);
      EXPECT_EQ(Got[I].startByte(), Want[I].startByte());
      EXPECT_EQ(Got[I].type(), Want[I].type());
    }
    size_t Named = 0;
    for (Node K : Want)
      Named += K.isNamed();
    EXPECT_EQ(N.namedChildren().size(), Named);
    for (Node K : Got)
      Work.push_back(K);
  }
  EXPECT_GT(Nodes, 100u);
}

} // namespace
