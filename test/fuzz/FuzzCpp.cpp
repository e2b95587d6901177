//===--- FuzzCpp.cpp - libFuzzer harness: bytes as a C file -------------------===//
//
// The bytes are /forksafe-fuzz-input.c in clang's in-memory file system (system headers still come
// from the real one), compiled as C with -pthread and analysed by every forksafe check
// through clang-tidy's engine, as the forksafe program does.
//
//===----------------------------------------------------------------------===//
#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "clang-tidy/ClangTidyOptions.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/VirtualFileSystem.h"

#include <cstdint>

// Defined next to the module's registration; referencing it keeps that object linked.
extern volatile int ForksafeModuleAnchorSource;
static int ForksafeModuleAnchorDestination [[maybe_unused]] = ForksafeModuleAnchorSource;

using namespace clang;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  // The compile command's folder must exist in every layer of the overlay: "/" does.
  static const std::string Name = "/forksafe-fuzz-input.c";
  llvm::IntrusiveRefCntPtr<llvm::vfs::InMemoryFileSystem> Memory(new llvm::vfs::InMemoryFileSystem);
  Memory->addFile(Name, 0,
                  llvm::MemoryBuffer::getMemBufferCopy(
                      llvm::StringRef(reinterpret_cast<const char *>(Data), Size), Name));
  llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS(
      new llvm::vfs::OverlayFileSystem(llvm::vfs::createPhysicalFileSystem()));
  FS->pushOverlay(Memory);

  tooling::FixedCompilationDatabase DB("/", {"-pthread", "-fno-caret-diagnostics", "-w",
                                                 "-ferror-limit=20"});
  tidy::ClangTidyOptions Defaults = tidy::ClangTidyOptions::getDefaults();
  Defaults.Checks = "-*,forksafe-*";
  tidy::ClangTidyContext Context(std::make_unique<tidy::DefaultOptionsProvider>(
      tidy::ClangTidyGlobalOptions(), Defaults));
  std::vector<tidy::ClangTidyError> Found =
      tidy::runClangTidy(Context, DB, {Name}, FS, /*ApplyAnyFix=*/false);
  for (const tidy::ClangTidyError &E : Found)
    for (const auto &FileFix : E.Message.Fix)
      for (const tooling::Replacement &R : FileFix.getValue())
        if (R.getFilePath() == Name && R.getOffset() + R.getLength() > Size)
          __builtin_trap(); // a fix outside the file
  return 0;
}
