// cpp::analyze over unsaved buffers (the language server's use): the overlay's text is what the
// compiler sees, for the main file and for the headers it includes.
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

} // namespace
