//===--- FuzzLsp.cpp - libFuzzer harness: bytes as the language server's input ---===//
//
// The bytes are the whole input stream of `forksafe lsp`: framing (headers, lengths), JSON,
// and every method the dispatcher knows, with documents that exist only in memory. The server
// runs as in the editor except that it reads from memory, analyses on the calling thread and
// returns on `exit` instead of ending the process. Replies are discarded.
//
//===----------------------------------------------------------------------===//
#include "LanguageServer.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::string Input(reinterpret_cast<const char *>(Data), Size);
  int ExitCode = 0;
  (void)forksafe::lsp::processLanguageServerStream(Input, &ExitCode);
  return 0;
}
