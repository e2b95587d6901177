// Fix application with the re-parse gate, unified diffs, check-name validation.
#include "core/CheckGlobs.h"
#include "core/Fixes.h"
#include "core/Reporters.h"
#include "core/Suppressions.h"
#include "python/SyntaxTree.h"

#include <gtest/gtest.h>

using namespace forksafe;

namespace {

Diagnostic withFix(unsigned Offset, unsigned Length, std::string Replacement,
                   Applicability Kind = Applicability::Safe) {
  Diagnostic D;
  D.Check = "forksafe-test";
  Fix F;
  F.Kind = Kind;
  Edit E;
  E.Offset = Offset;
  E.Length = Length;
  E.Replacement = std::move(Replacement);
  F.Edits.push_back(E);
  D.FixIt = F;
  return D;
}

bool parses(llvm::StringRef Text) {
  python::SyntaxTree T = python::SyntaxTree::parse(Text);
  return T.valid() && T.firstError().isNull();
}

} // namespace

TEST(Fixes, BreakingFixIsRefusedOthersGoIn) {
  std::string Text = "x = f('fork')\ny = 2\n";
  std::vector<Diagnostic> Diags{withFix(7, 4, "spawn"), withFix(14, 1, "y = (")};
  std::vector<size_t> Applied, Refused;
  std::string Out = applyFixesOnce(Text, Diags, false, parses, Applied, Refused);
  EXPECT_EQ(Out, "x = f('spawn')\ny = 2\n");
  EXPECT_EQ(Applied, std::vector<size_t>{0});
  EXPECT_EQ(Refused, std::vector<size_t>{1});
}

TEST(Fixes, UnsafeOnlyWhenAsked) {
  std::string Text = "a = 1\n";
  std::vector<Diagnostic> Diags{withFix(4, 1, "2", Applicability::Unsafe)};
  std::vector<size_t> Applied, Refused;
  EXPECT_EQ(applyFixesOnce(Text, Diags, false, parses, Applied, Refused), Text);
  EXPECT_TRUE(Applied.empty());
  EXPECT_EQ(applyFixesOnce(Text, Diags, true, parses, Applied, Refused), "a = 2\n");
}

TEST(Fixes, UnifiedDiffMatchesDiffU) {
  EXPECT_EQ(unifiedDiff("f.py", "a\n", "a\n"), "");
  EXPECT_EQ(unifiedDiff("f.py", "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n"),
            "--- f.py\n+++ f.py\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
  // An insertion at the top, and a last line without a newline.
  EXPECT_EQ(unifiedDiff("f.py", "b", "a\nb"), "--- f.py\n+++ f.py\n@@ -1 +1,2 @@\n+a\n b\n\\ No newline at end of file\n");
}

TEST(CheckNames, ClosestAndProblems) {
  setKnownChecks({"forksafe-preexec-fn", "forksafe-vfork-child"});
  EXPECT_EQ(closestCheck("FORKSAFE-PREEXEC-FN"), "forksafe-preexec-fn");
  EXPECT_EQ(closestCheck("forksafe-vfork"), "forksafe-vfork-child");
  EXPECT_EQ(checkListProblem("-*,forksafe-*"), "");
  EXPECT_EQ(checkListProblem("-*,forksafe-prexec-fn"),
            "unknown check 'forksafe-prexec-fn' (did you mean 'forksafe-preexec-fn'?)");
  EXPECT_EQ(checkListProblem("bugprone-*"), "'bugprone-*' matches no check (did you mean 'forksafe-preexec-fn'?)");
  setKnownChecks({});
  EXPECT_EQ(checkListProblem("anything"), ""); // nothing known: nothing validated
}

TEST(Suppressions, OnlyRealComments) {
  auto Ds = findPythonSuppressions("s = '# noqa: forksafe-x'\nt = \"\"\"\n# forksafe: ignore\n\"\"\"\n"
                                   "u = 1  # noqa: E501, forksafe-y  # more\n# see `# noqa: forksafe-z`\n");
  ASSERT_EQ(Ds.size(), 1u);
  EXPECT_EQ(Ds[0].Line, 5u);
  ASSERT_EQ(Ds[0].Codes.size(), 2u);
  EXPECT_FALSE(Ds[0].Codes[0].Ours);
  EXPECT_TRUE(Ds[0].Codes[1].Ours);
  EXPECT_EQ(Ds[0].Codes[1].Text, "forksafe-y");
}

TEST(Reporters, DocsLinks) {
  EXPECT_EQ(checkDocsUrl("https://x.org/d", "forksafe-a"), "https://x.org/d/forksafe-a.md");
  EXPECT_EQ(checkDocsUrl("https://x.org/{id}.html", "forksafe-a"), "https://x.org/forksafe-a.html");
  EXPECT_EQ(docsHome("https://x.org/p/{id}.html"), "https://x.org/p/");
  EXPECT_EQ(absoluteDocsLinks("see [b](forksafe-b.md).", "https://x.org/d/"), "see [b](https://x.org/d/forksafe-b.md).");
  EXPECT_EQ(absoluteDocsLinks("see [b](forksafe-b.md).", ""), "see b.");
  EXPECT_EQ(checkDisplayName("forksafe-fork-after-thread"), "ForkAfterThread");
}
