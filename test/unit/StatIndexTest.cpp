#include "core/Cache.h"
#include "driver/StatIndex.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

using namespace forksafe;

namespace {

class IndexDir {
public:
  IndexDir() { llvm::sys::fs::createUniqueDirectory("forksafe-statindex-test", Path); }
  ~IndexDir() { llvm::sys::fs::remove_directories(Path); }
  std::string sub(llvm::StringRef Name) const {
    llvm::SmallString<256> P(Path);
    llvm::sys::path::append(P, Name);
    return std::string(P);
  }
  llvm::SmallString<256> Path;
};

void writeFile(const std::string &P, const std::string &Text) { std::ofstream(P) << Text; }

StatIndexData sample() {
  StatIndexData D;
  StatIndexData::ProjectRecord &P = D.Projects["/proj\n"];
  P.Config = "c0ffee";
  FileStamp S;
  S.Exists = true;
  S.Dev = 1;
  S.Ino = 2;
  S.Mode = 0100644;
  S.Size = 3;
  S.MtimeNs = -4; // before 1970: still a stamp
  S.CtimeNs = 5;
  P.Deps["/proj/pkg"] = S;
  P.Deps["/proj/src"] = FileStamp(); // missing
  P.Files["/proj/a.py"] = {S, "c0ffee", "/proj"};
  D.Projects["/site\nrequests"].Files["/site/requests/x.py"] = {S, "", "/site"};
  return D;
}

} // namespace

TEST(StatIndexTest, RoundTrips) {
  StatIndexData D = sample();
  std::string Text = D.serialize();
  std::optional<StatIndexData> Back = StatIndexData::parse(Text);
  ASSERT_TRUE(Back);
  EXPECT_EQ(Back->serialize(), Text);
  const auto &P = Back->Projects.at("/proj\n");
  EXPECT_EQ(P.Config, "c0ffee");
  EXPECT_FALSE(P.Deps.at("/proj/src").Exists);
  EXPECT_EQ(P.Deps.at("/proj/pkg").MtimeNs, -4);
  EXPECT_EQ(P.Files.at("/proj/a.py").ImportRoot, "/proj");
  EXPECT_EQ(Back->Projects.count("/site\nrequests"), 1u);
}

TEST(StatIndexTest, CorruptOrTruncatedIsNotAnIndex) {
  std::string Text = sample().serialize();
  // Every proper prefix (a write cut short) is refused, never taken for a smaller index.
  for (size_t N = 0; N < Text.size(); ++N)
    EXPECT_FALSE(StatIndexData::parse(llvm::StringRef(Text).take_front(N))) << N;
  EXPECT_FALSE(StatIndexData::parse(Text + "F\tjunk\n"));
  EXPECT_FALSE(StatIndexData::parse("forksafe-stat-index 2\nend\n"));
  std::string BadStamp = Text;
  BadStamp.replace(BadStamp.find(":2:"), 3, ":x:");
  EXPECT_FALSE(StatIndexData::parse(BadStamp));
  // A file line before any project line.
  EXPECT_FALSE(StatIndexData::parse("forksafe-stat-index 1\nF\t1:2:3:4:5:6\t\t/r\t/r/a.py\nend\n"));
  EXPECT_TRUE(StatIndexData::parse("forksafe-stat-index 1\nend\n"));
}

TEST(StatIndexTest, AnswersOnlyWhatWasFoundEmptyAndUnchanged) {
  IndexDir Dir;
  std::unique_ptr<Cache> C = Cache::open(Dir.sub("cache"));
  ASSERT_TRUE(C);
  std::string Mod = Dir.sub("mod.py"), A = Dir.sub("a.py"), B = Dir.sub("b.py");
  writeFile(Mod, "x = 1\n");
  writeFile(A, "import mod\n");
  writeFile(B, "import mod\n");
  ::setenv("FORKSAFE_TEST_RACY_WINDOW_MS", "0", 1);
  const std::string Project = Dir.Path.str().str() + "\n";
  {
    StatIndex I(*C, "run");
    I.recordDependency(Project, Mod);
    I.recordProject(Project, "cfg");
    I.recordResult(A, *FileStamp::of(A), "cfg", Project, "root", /*Empty=*/true);
    I.recordResult(B, *FileStamp::of(B), "cfg", Project, "root", /*Empty=*/false);
    EXPECT_TRUE(I.save());
  }
  {
    StatIndex I(*C, "run");
    EXPECT_TRUE(I.answersEmpty(A, *FileStamp::of(A), "cfg", Project, "root"));
    EXPECT_FALSE(I.answersEmpty(B, *FileStamp::of(B), "cfg", Project, "root")); // had findings
    EXPECT_FALSE(I.answersEmpty(A, *FileStamp::of(A), "other", Project, "root"));
    EXPECT_FALSE(I.answersEmpty(A, *FileStamp::of(A), "cfg", Project, "elsewhere"));
    EXPECT_EQ(I.answered(), 1u);
    EXPECT_FALSE(I.save()); // nothing changed
  }
  {
    // The same results again (B still has findings, A is still empty): nothing to write.
    StatIndex I(*C, "run");
    I.recordDependency(Project, Mod);
    I.recordProject(Project, "cfg");
    I.recordResult(A, *FileStamp::of(A), "cfg", Project, "root", /*Empty=*/true);
    I.recordResult(B, *FileStamp::of(B), "cfg", Project, "root", /*Empty=*/false);
    EXPECT_FALSE(I.save());
  }
  {
    // A project that read one more file this run: its record grows.
    std::string Extra = Dir.sub("extra.py");
    writeFile(Extra, "y = 2\n");
    StatIndex I(*C, "run");
    I.recordDependency(Project, Extra);
    EXPECT_TRUE(I.save());
  }
  {
    // A has findings now: its entry goes.
    StatIndex I(*C, "run");
    I.recordResult(A, *FileStamp::of(A), "cfg", Project, "root", /*Empty=*/false);
    EXPECT_TRUE(I.save());
  }
  {
    StatIndex I(*C, "run");
    EXPECT_FALSE(I.answersEmpty(A, *FileStamp::of(A), "cfg", Project, "root"));
    // Found empty again: kept again.
    I.recordResult(A, *FileStamp::of(A), "cfg", Project, "root", /*Empty=*/true);
    I.recordProject(Project, "cfg");
    I.recordDependency(Project, Mod);
    EXPECT_TRUE(I.save());
  }
  {
    StatIndex I(*C, "another run configuration");
    EXPECT_FALSE(I.answersEmpty(A, *FileStamp::of(A), "cfg", Project, "root"));
  }
  // A dependency removed: the project's files are no longer answered.
  llvm::sys::fs::remove(Mod);
  {
    StatIndex I(*C, "run");
    EXPECT_FALSE(I.answersEmpty(A, *FileStamp::of(A), "cfg", Project, "root"));
  }
  // A stamp within the window is neither trusted nor stored.
  ::setenv("FORKSAFE_TEST_RACY_WINDOW_MS", "3600000", 1);
  {
    IndexDir Other;
    std::unique_ptr<Cache> C2 = Cache::open(Other.sub("cache"));
    StatIndex I(*C2, "run");
    I.recordResult(A, *FileStamp::of(A), "cfg", "\n", "", true);
    EXPECT_FALSE(I.save());
  }
  // Garbage where the index is: ignored.
  ::setenv("FORKSAFE_TEST_RACY_WINDOW_MS", "0", 1);
  C->put("python-index", cacheKey({"python-index", "run"}), "\x01\x02garbage");
  {
    StatIndex I(*C, "run");
    EXPECT_FALSE(I.answersEmpty(A, *FileStamp::of(A), "cfg", Project, "root"));
  }
  ::unsetenv("FORKSAFE_TEST_RACY_WINDOW_MS");
}
