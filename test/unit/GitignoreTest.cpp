#include "driver/Gitignore.h"

#include <gtest/gtest.h>

using namespace forksafe;

static int verdict(llvm::StringRef Text, llvm::StringRef Path, bool IsDir = false) {
  GitignoreFile G("/repo", Text);
  return G.match(Path, IsDir);
}

TEST(Gitignore, NamesMatchAtAnyDepth) {
  EXPECT_EQ(verdict("*.pyc\n", "a/b/c.pyc"), 1);
  EXPECT_EQ(verdict("*.pyc\n", "a/b/c.py"), 0);
  EXPECT_EQ(verdict("build\n", "src/build", true), 1);
}

TEST(Gitignore, SlashAnchors) {
  EXPECT_EQ(verdict("/build\n", "build", true), 1);
  EXPECT_EQ(verdict("/build\n", "src/build", true), 0);
  EXPECT_EQ(verdict("doc/gen\n", "doc/gen", true), 1);
  EXPECT_EQ(verdict("doc/gen\n", "x/doc/gen", true), 0);
}

TEST(Gitignore, NegationAndOrder) {
  EXPECT_EQ(verdict("*.py\n!keep.py\n", "keep.py"), -1);
  EXPECT_EQ(verdict("!keep.py\n*.py\n", "keep.py"), 1);
}

TEST(Gitignore, DirectoryOnly) {
  EXPECT_EQ(verdict("out/\n", "out", true), 1);
  EXPECT_EQ(verdict("out/\n", "out", false), 0);
}

TEST(Gitignore, DoubleStar) {
  EXPECT_EQ(verdict("**/gen/*.py\n", "gen/a.py"), 1);
  EXPECT_EQ(verdict("**/gen/*.py\n", "x/y/gen/a.py"), 1);
  EXPECT_EQ(verdict("a/**/b.py\n", "a/b.py"), 1);
  EXPECT_EQ(verdict("a/**/b.py\n", "a/x/y/b.py"), 1);
  EXPECT_EQ(verdict("logs/**\n", "logs/x/y.py"), 1);
  EXPECT_EQ(verdict("*.py\n", "a.pyx"), 0);
}

TEST(Gitignore, CommentsEscapesAndSpecialCharacters) {
  EXPECT_EQ(verdict("# comment\n\\#hash.py\n", "#hash.py"), 1);
  EXPECT_EQ(verdict("a+b.py\n", "a+b.py"), 1);
  EXPECT_EQ(verdict("a+b.py\n", "aab.py"), 0);
  EXPECT_EQ(verdict("file[0-9].py\n", "file3.py"), 1);
  EXPECT_EQ(verdict("file?.py\n", "file/.py"), 0);
}
