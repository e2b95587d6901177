// cpp::analyze over unsaved buffers (the language server's use): the overlay's text is what the
// compiler sees, for the main file and for the headers it includes. And the whole-program
// mode's shared parses: a unit kept for its checks reports what a unit parsed again does.
#include "cpp/CppAnalyzer.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace forksafe;

namespace {

class CppOverlayTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("forksafe-overlay", Dir));
    Main = path("main.c");
    Header = path("child.h");
    write(Main, "#include \"child.h\"\nint quiet(void) { return 0; }\n");
    write(Header, "static inline void child(void) {}\n");
    Opts.FixedFlags = {"-isystem", FORKSAFE_TEST_INPUTS};
    Opts.UseFixedFlags = true;
  }
  void TearDown() override { llvm::sys::fs::remove_directories(Dir); }

  std::string path(llvm::StringRef Name) {
    llvm::SmallString<256> P(Dir);
    llvm::sys::path::append(P, Name);
    return std::string(P);
  }
  static void write(const std::string &Path, llvm::StringRef Text) {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Path, EC);
    ASSERT_FALSE(EC);
    OS << Text;
  }

  llvm::SmallString<256> Dir;
  std::string Main, Header;
  cpp::CppOptions Opts;
  std::vector<Diagnostic> Diags;
  std::vector<InputError> Errors;
};

const char *ForkingMain = "#include <forksafe-system.h>\n"
                          "#include \"child.h\"\n"
                          "int run(void) {\n"
                          "  if (fork() == 0) {\n"
                          "    child();\n"
                          "    exit(1);\n"
                          "  }\n"
                          "  return 0;\n"
                          "}\n";

TEST_F(CppOverlayTest, UnsavedMainFileIsAnalysed) {
  // On disk the file names no fork: it would be skipped. The buffer does.
  Opts.Overlay[Main] = ForkingMain;
  cpp::analyze({Main}, Opts, Diags, Errors);
  EXPECT_TRUE(Errors.empty()) << (Errors.empty() ? "" : Errors.front().Message);
  ASSERT_EQ(Diags.size(), 1u);
  EXPECT_EQ(Diags[0].Check, "forksafe-exit-in-child");
  EXPECT_EQ(Diags[0].Loc.File, Main);
  EXPECT_EQ(Diags[0].Loc.Line, 6u);
  EXPECT_EQ(Diags[0].Loc.Column, 5u);
}

TEST_F(CppOverlayTest, DiskFileWithoutForkIsSkipped) {
  cpp::CppRunInfo Info;
  cpp::analyze({Main}, Opts, Diags, Errors, &Info);
  EXPECT_TRUE(Diags.empty());
  EXPECT_TRUE(Errors.empty());
  EXPECT_EQ(Info.Skipped, 1u);
  EXPECT_EQ(Info.Analyzed, 0u);
}

TEST_F(CppOverlayTest, UnsavedHeaderIsSeen) {
  // The edited header (not saved) calls an undeclared function: the error is the buffer's.
  Opts.Overlay[Main] = ForkingMain;
  Opts.Overlay[Header] = "static inline void child(void) { (void)missing_variable; }\n";
  cpp::analyze({Main}, Opts, Diags, Errors);
  ASSERT_EQ(Errors.size(), 1u);
  EXPECT_NE(Errors[0].Message.find("child.h:1: "), std::string::npos) << Errors[0].Message;
  // The AST is still there: the finding in main.c is reported.
  ASSERT_EQ(Diags.size(), 1u);
  EXPECT_EQ(Diags[0].Check, "forksafe-exit-in-child");
}

class CppWholeProgramTest : public CppOverlayTest {
protected:
  void SetUp() override {
    CppOverlayTest::SetUp();
    Opts = cpp::CppOptions();
    Opts.WholeProgram = true;
    Opts.BuildPath = std::string(Dir);
    // pool.c starts a thread; main.c calls it, then forks through spawn() of spawn.c, whose
    // child calls log_line() of util.c.
    write(path("pool.c"), "#include <forksafe-system.h>\n"
                          "static void *work(void *a) { return a; }\n"
                          "void start_pool(void) { pthread_t t; pthread_create(&t, 0, work, 0); }\n");
    write(path("spawn.c"), "#include <forksafe-system.h>\n"
                           "pid_t spawn(void) { return fork(); }\n");
    write(path("util.c"), "#include <forksafe-system.h>\n"
                          "void log_line(void) { printf(\"child\\n\"); }\n");
    // main.c names fork (in a comment): the first pass keeps its parse for its checks.
    write(Main, "#include <forksafe-system.h>\n"
                "// forks through spawn()\n"
                "void start_pool(void);\n"
                "pid_t spawn(void);\n"
                "void log_line(void);\n"
                "int main(void) {\n"
                "  start_pool();\n"
                "  if (spawn() == 0) {\n"
                "    log_line();\n"
                "    exit(1);\n"
                "  }\n"
                "  return 0;\n"
                "}\n");
    std::string Db = "[";
    for (const char *Unit : {"main.c", "pool.c", "spawn.c", "util.c"}) {
      if (Db.size() > 1)
        Db += ",";
      Db += "{\"directory\": \"" + std::string(Dir) + "\", \"file\": \"" + Unit +
            "\", \"command\": \"clang -std=c11 -isystem " + FORKSAFE_TEST_INPUTS + " -c " +
            Unit + "\"}";
    }
    write(path("compile_commands.json"), Db + "]");
  }

  std::vector<std::string> run(size_t Budget, unsigned ExpectShared) {
    Opts.SharedParseBudget = Budget;
    std::vector<Diagnostic> Found;
    std::vector<InputError> Failed;
    cpp::CppRunInfo Info;
    cpp::analyze({Main, path("pool.c"), path("spawn.c"), path("util.c")}, Opts, Found, Failed,
                 &Info);
    EXPECT_EQ(Info.SharedParses, ExpectShared);
    EXPECT_TRUE(Failed.empty()) << (Failed.empty() ? "" : Failed.front().Message);
    std::vector<std::string> Lines;
    for (const Diagnostic &D : Found) {
      Lines.push_back(D.Check + " " + std::to_string(D.Loc.Line) + ":" +
                      std::to_string(D.Loc.Column) + " " + D.Message);
      for (const Note &N : D.Notes)
        Lines.push_back("  " + N.Loc.File + ":" + std::to_string(N.Loc.Line) + " " + N.Message);
    }
    return Lines;
  }
};

TEST_F(CppWholeProgramTest, KeptParseReportsWhatAReparseReports) {
  // main.c and spawn.c (which forks) are kept for their checks.
  std::vector<std::string> Kept = run(size_t(256) << 20, 2);
  std::vector<std::string> Reparsed = run(0, 0); // nothing fits: every unit is parsed again
  EXPECT_EQ(Kept, Reparsed);
  // The thread of pool.c and the child's printf in util.c: the whole program was seen.
  bool Thread = false, Printf = false;
  for (const std::string &L : Kept) {
    Thread |= L.find("pool.c") != std::string::npos;
    Printf |= L.find("util.c") != std::string::npos;
  }
  EXPECT_TRUE(Thread && Printf) << ::testing::PrintToString(Kept);
}

} // namespace
