// core/SourceText: data literal blanking, lone CR, UTF-8 repair.
#include "core/SourceText.h"

#include <gtest/gtest.h>

using namespace forksafe;

namespace {

std::string longList(const char *Item, size_t N) {
  std::string S = "[";
  for (size_t I = 0; I < N; ++I)
    S += std::string(Item) + ", ";
  return S + "]";
}

bool blanked(std::string Text) {
  std::string Before = Text;
  auto Spans = blankLongDataLiterals(Text, 64);
  EXPECT_EQ(Before.size(), Text.size());
  for (size_t I = 0; I < Text.size(); ++I) {
    if (Before[I] == '\n') {
      EXPECT_EQ('\n', Text[I]); // lines never move
    }
  }
  return !Spans.empty();
}

TEST(DataLiterals, BlanksLongDisplaysOfConstants) {
  std::string Text = "x = " + longList("1", 100) + "\nimport os\n";
  std::string Out = Text;
  auto Spans = blankLongDataLiterals(Out, 64);
  ASSERT_EQ(1u, Spans.size());
  EXPECT_EQ("x = [", Out.substr(0, 5));
  EXPECT_EQ(std::string::npos, Out.find('1'));
  EXPECT_NE(std::string::npos, Out.find("]\nimport os\n"));
  EXPECT_TRUE(blanked("x = {" + std::string(40, ' ') + "'a': (1, -2.5e-3, 0x1F, None, True), 'b'\n 'c': {1, 2}, 3: [], # c\n}"));
  EXPECT_TRUE(blanked("return " + longList("'s' b\"t\"", 20)));
  EXPECT_TRUE(blanked("f(" + longList("2", 60) + ")")); // a display passed as an argument
  // After a keyword a display may start; a comment between changes nothing.
  EXPECT_TRUE(blanked("for x in " + longList("1", 40) + ": pass"));
  EXPECT_TRUE(blanked("x = (y if z else  # c\n  " + longList("1", 40) + ")"));
}

TEST(DataLiterals, KeepsWhatRulesOrTheParserNeed) {
  EXPECT_FALSE(blanked("f(" + std::string(100, '1') + ", 2)"));       // a call's arguments
  EXPECT_FALSE(blanked("a[" + std::string(100, '1') + ", 2]"));       // a subscript
  EXPECT_FALSE(blanked("a [" + std::string(100, '1') + ", 2]"));      // a subscript
  // A word that only begins like a keyword, or a string after a keyword: a subscript.
  EXPECT_FALSE(blanked("returned[" + std::string(100, '1') + ", 2]"));
  EXPECT_FALSE(blanked("return 's'[" + std::string(100, '1') + ", 2]"));
  EXPECT_FALSE(blanked("x in a [" + std::string(100, '1') + ", 2]"));
  EXPECT_FALSE(blanked("x = [1 2" + std::string(100, ' ') + "]"));    // a syntax error stays
  EXPECT_FALSE(blanked("x = [f'{a}'," + std::string(100, ' ') + "]")); // f-strings hold code
  EXPECT_FALSE(blanked("x = [-" + std::string(100, ' ') + "]"));
  EXPECT_FALSE(blanked("x = {1:" + std::string(100, ' ') + "}"));
  EXPECT_FALSE(blanked("x = '[" + std::string(100, '1') + "]'"));     // inside a string
  EXPECT_FALSE(blanked("x = f'{[" + std::string(100, '1') + "]}'"));  // inside an f-string
  // Inside strings with prefixes, in either case.
  EXPECT_FALSE(blanked("x = rb'[" + std::string(100, '1') + "]'"));
  EXPECT_FALSE(blanked("x = U\"[" + std::string(100, '1') + "]\""));
  EXPECT_FALSE(blanked("x = Br'''[" + std::string(100, '1') + "]'''"));
  // An F-string whose field holds a string in the same quotes (Python 3.12): read as a plain
  // string, the display would seem to stand after a comma.
  EXPECT_FALSE(blanked("x = F'{a[', " + longList("1", 40) + "']}'"));
  // An inner literal is blanked when the outer one holds a name.
  std::string Text = "x = [y, " + longList("1", 40) + "]";
  EXPECT_TRUE(blanked(Text));
}

TEST(SourceText, LoneCarriageReturnsEndLines) {
  std::string T = "a\rb\r\nc\r";
  normalizeLoneCR(T);
  EXPECT_EQ("a\nb\r\nc\n", T);
  std::string Why;
  auto D = decodePythonSource("# coding: latin-1\rx = '\xe9'\r", Why);
  ASSERT_TRUE(D) << Why;
  EXPECT_EQ("# coding: latin-1\nx = '\xc3\xa9'\n", D->Text);
}

TEST(SourceText, InvalidUTF8IsRepaired) {
  EXPECT_EQ("caf\xef\xbf\xbd.py", replaceInvalidUTF8("caf\xe9.py"));
  EXPECT_EQ("caf\\xE9.py", escapeInvalidUTF8("caf\xe9.py"));
  EXPECT_EQ("\xc3\xa9\\xC3", escapeInvalidUTF8("\xc3\xa9\xc3")); // cut inside a character
  EXPECT_EQ("ok \xe4\xb8\xad", replaceInvalidUTF8("ok \xe4\xb8\xad"));
}

} // namespace
