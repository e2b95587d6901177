#include "core/CheckGlobs.h"
#include "core/Config.h"
#include "core/Fixes.h"
#include "core/SourceText.h"
#include "core/Suppressions.h"
#include "core/Uri.h"

#include <gtest/gtest.h>

using namespace forksafe;

TEST(CheckGlobs, LastMatchWins) {
  CheckGlobs G("-*,forksafe-*,-forksafe-vfork-child");
  EXPECT_TRUE(G.contains("forksafe-preexec-fn"));
  EXPECT_FALSE(G.contains("forksafe-vfork-child"));
  EXPECT_FALSE(G.contains("bugprone-foo"));
  G.append("forksafe-vfork-*");
  EXPECT_TRUE(G.contains("forksafe-vfork-child"));
}

TEST(CheckGlobs, StarMatchesAnyRun) {
  CheckGlobs G("forksafe-*-child, *lock*");
  EXPECT_TRUE(G.contains("forksafe-vfork-child"));
  EXPECT_TRUE(G.contains("forksafe-exit-in-child"));
  EXPECT_TRUE(G.contains("forksafe-fork-with-lock-held"));
  EXPECT_FALSE(G.contains("forksafe-preexec-fn"));
  EXPECT_FALSE(CheckGlobs("").contains("x"));
}

TEST(Suppressions, ForksafeIgnoreAndNoqa) {
  EXPECT_TRUE(pythonLineSuppresses("x = 1  # forksafe: ignore[forksafe-preexec-fn]", "forksafe-preexec-fn"));
  EXPECT_FALSE(pythonLineSuppresses("x = 1  # forksafe: ignore[forksafe-preexec-fn]", "forksafe-syntax-error"));
  EXPECT_TRUE(pythonLineSuppresses("x = 1  # forksafe: ignore", "forksafe-syntax-error"));
  EXPECT_TRUE(pythonLineSuppresses("x = 1  # noqa: E501, forksafe-preexec-fn", "forksafe-preexec-fn"));
  EXPECT_TRUE(pythonLineSuppresses("x = 1  # NOQA", "forksafe-preexec-fn"));
  EXPECT_FALSE(pythonLineSuppresses("x = 1  # noqa: E501", "forksafe-preexec-fn"));
  EXPECT_TRUE(pythonLineSuppresses("x = 1  # noqa: forksafe-*", "forksafe-preexec-fn"));
  EXPECT_FALSE(pythonLineSuppresses("x = 1  # a comment about noqa-like things", "forksafe-preexec-fn"));
  EXPECT_FALSE(pythonLineSuppresses("x = 1", "forksafe-preexec-fn"));
}

TEST(SourceText, Utf8AndBom) {
  std::string Err;
  auto D = decodePythonSource("\xEF\xBB\xBFx = 'caf\xC3\xA9'\n", Err);
  ASSERT_TRUE(D);
  EXPECT_EQ(D->BomBytes, 3u);
  EXPECT_EQ(D->Text, "x = 'caf\xC3\xA9'\n");
  EXPECT_FALSE(D->Transcoded);
}

TEST(SourceText, RejectsInvalidUtf8WithoutDeclaration) {
  std::string Err;
  EXPECT_FALSE(decodePythonSource("x = 1\ny = 'caf\xE9'\n", Err));
  EXPECT_NE(Err.find("not valid UTF-8"), std::string::npos);
  EXPECT_NE(Err.find("line 2, column 9"), std::string::npos) << Err;
}

TEST(SourceText, DecodesPep263Latin1) {
  std::string Err;
  auto D = decodePythonSource("# -*- coding: latin-1 -*-\ny = 'caf\xE9'\n", Err);
  ASSERT_TRUE(D) << Err;
  EXPECT_TRUE(D->Transcoded);
  EXPECT_NE(D->Text.find("caf\xC3\xA9"), std::string::npos);
}

// isPlainPythonSource tells, without a copy, what the text decodePythonSource gives tells.
TEST(SourceText, PlainIsWhatDecodingLeavesAsItIs) {
  const std::vector<std::pair<std::string, bool>> Cases = {
      {"x = 1\n", true},
      {"", true},
      {"x = 'caf\xC3\xA9'\r\ny = 2\r\n", true},         // CRLF stays
      {"# coding: utf-8\nx = 1\n", true},                 // UTF-8 declared
      {"#!/usr/bin/env python\n# -*- coding: UTF8 -*-\nx = 1\n", true},
      {"\xEF\xBB\xBFx = 1\n", false},                     // byte order mark
      {"# -*- coding: latin-1 -*-\nx = 1\n", false},      // transcoded, even if ASCII
      {"x = 1\ry = 2\n", false},                          // lone CR
      {"x = 1\r", false},                                 // lone CR at the end
      {"y = 'caf\xE9'\n", false},                         // not UTF-8
      {std::string("x = 1\n\0\n", 8), false},             // NUL
  };
  for (const auto &[Bytes, Plain] : Cases) {
    std::string Err;
    std::optional<DecodedSource> D = decodePythonSource(Bytes, Err, /*Blank=*/false);
    bool Decoded = D && !D->Transcoded && !D->BomBytes && D->Text == Bytes;
    EXPECT_EQ(Decoded, Plain) << Bytes;
    EXPECT_EQ(isPlainPythonSource(Bytes), Plain) << Bytes;
  }
}

TEST(SourceText, RejectsNul) {
  std::string Err;
  EXPECT_FALSE(decodePythonSource(llvm::StringRef("x = 1\n\0\n", 8), Err));
  EXPECT_NE(Err.find("NUL"), std::string::npos);
}

TEST(SourceText, OverlongAndSurrogatesAreInvalid) {
  EXPECT_EQ(findInvalidUTF8("ok \xC0\xAF"), 3u);         // overlong '/'
  EXPECT_EQ(findInvalidUTF8("\xED\xA0\x80"), 0u);        // UTF-16 surrogate
  EXPECT_EQ(findInvalidUTF8("\xF0\x9F\x98\x80"), llvm::StringRef::npos); // emoji
}

TEST(Config, PythonVersions) {
  auto V = parsePythonVersion("py312");
  ASSERT_TRUE(V);
  EXPECT_EQ(V->Minor, 12u);
  V = parsePythonVersion("3.14");
  ASSERT_TRUE(V);
  EXPECT_TRUE(V->atLeast(3, 14));
  EXPECT_FALSE(parsePythonVersion("latest"));
  V = lowerBoundOfRequiresPython(">=3.9, <4");
  ASSERT_TRUE(V);
  EXPECT_EQ(V->Minor, 9u);
  V = lowerBoundOfRequiresPython(">3.13");
  ASSERT_TRUE(V);
  EXPECT_EQ(V->Minor, 14u);
  EXPECT_FALSE(lowerBoundOfRequiresPython("<3.12"));
}

TEST(Fixes, ApplyEditsInOrderAndSkipsOverlaps) {
  std::vector<Edit> Edits(3);
  Edits[0].Offset = 6;
  Edits[0].Length = 4;
  Edits[0].Replacement = "_exit";
  Edits[1].Offset = 0;
  Edits[1].Length = 1;
  Edits[1].Replacement = "A";
  Edits[2].Offset = 7; // overlaps the first edit
  Edits[2].Length = 1;
  Edits[2].Replacement = "Z";
  std::vector<bool> Taken;
  EXPECT_EQ(applyEdits("a b c exit(1);", Edits, Taken), "A b c _exit(1);");
  EXPECT_TRUE(Taken[0]);
  EXPECT_TRUE(Taken[1]);
  EXPECT_FALSE(Taken[2]);
}

TEST(Uri, RoundTripsUnusualPaths) {
  EXPECT_EQ(fileUri("/proj/caf\xC3\xA9 x/a#b.py"), "file:///proj/caf%C3%A9%20x/a%23b.py");
  auto P = pathOfFileUri("file:///proj/caf%C3%A9%20x/a%23b.py");
  ASSERT_TRUE(P);
  EXPECT_EQ(*P, "/proj/caf\xC3\xA9 x/a#b.py");
  EXPECT_FALSE(pathOfFileUri("untitled:Untitled-1"));
  EXPECT_EQ(percentEncodePath("src/a-b_c.~d.py"), "src/a-b_c.~d.py");
}
