//===--- FuzzLsp.cpp - libFuzzer harness: bytes as the language server's input ---===//
//
// The bytes are the whole standard input of `forksafe lsp`: framing (headers, lengths), JSON,
// and every method the dispatcher knows, with documents that exist only in memory. Replies
// are discarded.
//
//===----------------------------------------------------------------------===//
#include "LanguageServer.h"

#include <cstdint>
#include <iostream>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::istringstream In(std::string(reinterpret_cast<const char *>(Data), Size));
  std::ostringstream Out;
  std::streambuf *OldIn = std::cin.rdbuf(In.rdbuf());
  std::streambuf *OldOut = std::cout.rdbuf(Out.rdbuf());
  std::cin.clear();
  const char *Argv[] = {"lsp", nullptr};
  (void)runLanguageServer(1, Argv);
  std::cin.rdbuf(OldIn);
  std::cout.rdbuf(OldOut);
  std::cin.clear();
  std::cout.clear();
  return 0;
}
