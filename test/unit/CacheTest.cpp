#include "core/Cache.h"
#include "core/DiagnosticJson.h"
#include "driver/ResultsCache.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

using namespace forksafe;

namespace {

/// A fresh folder under the system temporary folder, removed afterwards.
class TempDir {
public:
  TempDir() {
    llvm::sys::fs::createUniqueDirectory("forksafe-cache-test", Path);
  }
  ~TempDir() { llvm::sys::fs::remove_directories(Path); }
  std::string sub(llvm::StringRef Name) const {
    llvm::SmallString<256> P(Path);
    llvm::sys::path::append(P, Name);
    return std::string(P);
  }
  llvm::SmallString<256> Path;
};

std::string readFile(const std::string &P) {
  auto B = llvm::MemoryBuffer::getFile(P);
  return B ? (*B)->getBuffer().str() : "<missing>";
}

} // namespace

TEST(Cache, OpenMakesATaggedIgnoredFolder) {
  TempDir T;
  std::string Dir = T.sub("a/b/.forksafe_cache");
  auto C = Cache::open(Dir);
  ASSERT_TRUE(C);
  EXPECT_TRUE(llvm::sys::fs::is_directory(Dir));
  EXPECT_EQ(readFile(Dir + "/.gitignore"), "# Automatically created by forksafe.\n*\n");
  EXPECT_EQ(readFile(Dir + "/CACHEDIR.TAG").rfind("Signature: 8a477f597d28d172789f06886806bc55\n", 0), 0u);
}

TEST(Cache, OpenFailsWhereNoFolderCanBeMade) {
  TempDir T;
  std::string File = T.sub("file");
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(File, EC);
    OS << "x";
  }
  std::string Why;
  EXPECT_FALSE(Cache::open(File + "/cache", &Why));
  EXPECT_NE(Why.find("cannot create cache folder"), std::string::npos) << Why;
  EXPECT_FALSE(Cache::open(""));
}

TEST(Cache, PutThenGet) {
  TempDir T;
  auto C = Cache::open(T.sub("c"));
  ASSERT_TRUE(C);
  std::string K = cacheKey({"x"});
  EXPECT_FALSE(C->get("results", K));
  C->put("results", K, std::string("value\0with nul\n", 15));
  auto V = C->get("results", K);
  ASSERT_TRUE(V);
  EXPECT_EQ(*V, std::string("value\0with nul\n", 15));
  // Kinds are separate stores.
  EXPECT_FALSE(C->get("summaries", K));
  // The last write wins.
  C->put("results", K, "second");
  EXPECT_EQ(C->get("results", K).value_or(""), "second");
  // A second handle on the same folder sees the entry.
  EXPECT_EQ(Cache::open(T.sub("c"))->get("results", K).value_or(""), "second");
}

TEST(Cache, RefusesNamesThatLeaveTheFolder) {
  TempDir T;
  auto C = Cache::open(T.sub("c"));
  ASSERT_TRUE(C);
  C->put("../escape", "abcdef", "v");
  C->put("k", "../../abcdef", "v");
  EXPECT_FALSE(llvm::sys::fs::exists(T.sub("escape")));
  EXPECT_FALSE(C->get("../escape", "abcdef"));
  EXPECT_FALSE(C->get("k", "../../abcdef"));
}

TEST(Cache, AForeignFileIsNoEntry) {
  TempDir T;
  auto C = Cache::open(T.sub("c"));
  std::string K = cacheKey({"y"});
  C->put("k", K, "v");
  // Overwrite the entry with bytes that lack the entry header.
  std::string P = T.sub("c/k/" + K.substr(0, 2) + "/" + K.substr(2));
  ASSERT_TRUE(llvm::sys::fs::exists(P));
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(P, EC);
    OS << "v";
  }
  EXPECT_FALSE(C->get("k", K));
}

TEST(Cache, KeysSeparatePartsAndIncludeTheVersion) {
  EXPECT_EQ(cacheKey({"ab", "c"}), cacheKey({"ab", "c"}));
  EXPECT_NE(cacheKey({"ab", "c"}), cacheKey({"a", "bc"}));
  EXPECT_NE(cacheKey({"ab"}), cacheKey({"ab", ""}));
  EXPECT_EQ(cacheKey({}).size(), 64u);
  // The version is part of every key: a key of no parts is not the digest of nothing.
  EXPECT_NE(cacheKey({}), contentDigest(""));
  EXPECT_EQ(contentDigest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(cacheVersion().find(FORKSAFE_VERSION), std::string::npos);
}

TEST(Cache, ConcurrentWritersNeverShowATornEntry) {
  TempDir T;
  auto C = Cache::open(T.sub("c"));
  ASSERT_TRUE(C);
  std::string K = cacheKey({"shared"});
  const std::string A(1 << 20, 'a'), B(1 << 20, 'b');
  std::atomic<bool> Stop{false};
  std::atomic<unsigned> Torn{0}, Seen{0};
  std::thread WA([&] { for (int I = 0; I < 30; ++I) C->put("k", K, A); });
  std::thread WB([&] { for (int I = 0; I < 30; ++I) C->put("k", K, B); });
  std::thread R([&] {
    while (!Stop) {
      if (auto V = C->get("k", K)) {
        ++Seen;
        if (*V != A && *V != B)
          ++Torn;
      }
    }
  });
  WA.join();
  WB.join();
  Stop = true;
  R.join();
  EXPECT_EQ(Torn.load(), 0u);
  EXPECT_GT(Seen.load(), 0u);
  // No temporary file is left behind.
  std::error_code EC;
  unsigned Files = 0;
  for (llvm::sys::fs::recursive_directory_iterator I(T.sub("c/k"), EC), E; I != E && !EC; I.increment(EC))
    if (I->type() == llvm::sys::fs::file_type::regular_file)
      ++Files;
  EXPECT_EQ(Files, 1u);
}

TEST(Cache, ProjectRootIsTheNearestMarkedFolder) {
  TempDir T;
  llvm::sys::fs::create_directories(T.sub("proj/pkg/sub"));
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(T.sub("proj/pyproject.toml"), EC);
  }
  {
    std::error_code EC;
    llvm::raw_fd_ostream OS(T.sub("proj/pkg/sub/m.py"), EC);
  }
  llvm::SmallString<256> Real;
  llvm::sys::fs::real_path(T.sub("proj"), Real);
  llvm::SmallString<256> Got;
  llvm::sys::fs::real_path(findProjectRoot(T.sub("proj/pkg/sub/m.py")), Got);
  EXPECT_EQ(Got, Real);
  llvm::sys::fs::real_path(findProjectRoot(T.sub("proj/pkg/sub")), Got);
  EXPECT_EQ(Got, Real);
  EXPECT_EQ(llvm::sys::path::filename(defaultCacheDir(T.sub("proj/pkg"))), ".forksafe_cache");
}

TEST(DiagnosticJson, RoundTripKeepsEveryField) {
  Diagnostic D;
  D.Check = "forksafe-preexec-fn";
  D.Level = Severity::Error;
  D.Loc = {"a \"b\".py", 3, 7};
  D.EndLine = 4;
  D.EndColumn = 9;
  D.Message = "msg \xc3\xa9\n";
  Note N;
  N.Loc = {"other.py", 1, 2};
  N.Message = "note";
  D.Notes.push_back(N);
  Fix F;
  F.Kind = Applicability::Unsafe;
  F.Description = "desc";
  F.Edits.push_back({"a \"b\".py", 10, 3, 3, 7, 3, 10, "repl"});
  D.FixIt = F;
  Diagnostic Plain;
  Plain.Check = "forksafe-syntax-error";
  Plain.Loc = {"x.py", 1, 1};
  std::string J = diagnosticsToJson({D, Plain}, {{"x.py", "why"}});
  std::vector<Diagnostic> Ds;
  std::vector<InputError> Es;
  ASSERT_TRUE(diagnosticsFromJson(J, Ds, Es));
  ASSERT_EQ(Ds.size(), 2u);
  ASSERT_EQ(Es.size(), 1u);
  EXPECT_EQ(Es[0].Message, "why");
  const Diagnostic &R = Ds[0];
  EXPECT_EQ(R.Check, D.Check);
  EXPECT_EQ(R.Level, Severity::Error);
  EXPECT_EQ(R.Loc.File, D.Loc.File);
  EXPECT_EQ(R.Loc.Line, 3u);
  EXPECT_EQ(R.Loc.Column, 7u);
  EXPECT_EQ(R.EndLine, 4u);
  EXPECT_EQ(R.EndColumn, 9u);
  EXPECT_EQ(R.Message, D.Message);
  ASSERT_EQ(R.Notes.size(), 1u);
  EXPECT_EQ(R.Notes[0].Loc.File, "other.py");
  EXPECT_EQ(R.Notes[0].Message, "note");
  ASSERT_TRUE(R.FixIt);
  EXPECT_EQ(R.FixIt->Kind, Applicability::Unsafe);
  ASSERT_EQ(R.FixIt->Edits.size(), 1u);
  EXPECT_EQ(R.FixIt->Edits[0].Offset, 10u);
  EXPECT_EQ(R.FixIt->Edits[0].EndColumn, 10u);
  EXPECT_EQ(R.FixIt->Edits[0].Replacement, "repl");
  EXPECT_FALSE(Ds[1].FixIt);
  EXPECT_EQ(diagnosticsToJson(Ds, Es), J);
  EXPECT_FALSE(diagnosticsFromJson("{\"diagnostics\": [{}], \"errors\": []}", Ds, Es));
  EXPECT_FALSE(diagnosticsFromJson("not json", Ds, Es));
  EXPECT_EQ(Ds.size(), 2u);
}

TEST(ResultsCache, AChangedDependencyIsAMiss) {
  TempDir T;
  ResultsCache RC(Cache::open(T.sub("c")));
  Config Cfg;
  Diagnostic D;
  D.Check = "forksafe-fork-after-thread";
  D.Loc = {"m.py", 2, 1};
  std::string K = ResultsCache::pythonKey("m.py", "import os\n", Cfg, "");
  RC.put(K, {{"pkg.threads", "d1"}, {"pkg.util", "d2"}}, {D});
  std::vector<Diagnostic> Out;
  auto Same = [](llvm::StringRef N) { return std::string(N == "pkg.threads" ? "d1" : "d2"); };
  ASSERT_TRUE(RC.get(K, Same, Out));
  ASSERT_EQ(Out.size(), 1u);
  EXPECT_EQ(Out[0].Check, D.Check);
  auto Changed = [](llvm::StringRef N) { return std::string(N == "pkg.threads" ? "d1" : "d3"); };
  EXPECT_FALSE(RC.get(K, Changed, Out));
  auto Gone = [](llvm::StringRef) { return std::string(); };
  EXPECT_FALSE(RC.get(K, Gone, Out));
  // Every part of the key matters.
  Config Other;
  Other.Digest = "x";
  EXPECT_NE(ResultsCache::pythonKey("m.py", "import os\n", Other, ""), K);
  EXPECT_NE(ResultsCache::pythonKey("m.py", "import os \n", Cfg, ""), K);
  EXPECT_NE(ResultsCache::pythonKey("n.py", "import os\n", Cfg, ""), K);
  EXPECT_NE(ResultsCache::pythonKey("m.py", "import os\n", Cfg, "-*"), K);
}
