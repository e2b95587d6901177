// PLACEHOLDER: the language server is not written yet.
#include "LanguageServer.h"
#include "llvm/Support/raw_ostream.h"
int runLanguageServer(int, const char **) {
  llvm::errs() << "forksafe: error: the language server is not available in this build\n";
  return 2;
}
