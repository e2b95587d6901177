//===--- LanguageServer.h - forksafe lsp -----------------------------------===//
#ifndef FORKSAFE_DRIVER_LANGUAGESERVER_H
#define FORKSAFE_DRIVER_LANGUAGESERVER_H

#include "llvm/ADT/StringRef.h"

#include <string>

/// Serves the Language Server Protocol on stdin/stdout until `exit`. Argv[0] is "lsp".
int runLanguageServer(int Argc, const char **Argv);

namespace forksafe {
namespace lsp {

/// Plays Input (the bytes a client writes to the server) through the server on the calling
/// thread, analysing after every message, and returns the bytes it wrote back; ExitCode gets
/// what `forksafe lsp` would exit with. The fuzz harness's entry point: no input may crash, hang
/// or exhaust it. C/C++ documents are analysed only with AnalyseCpp (clang is slow for fuzzing).
std::string processLanguageServerStream(llvm::StringRef Input, int *ExitCode = nullptr,
                                        bool AnalyseCpp = false);

} // namespace lsp
} // namespace forksafe

#endif
