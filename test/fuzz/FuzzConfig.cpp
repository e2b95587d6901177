//===--- FuzzConfig.cpp - libFuzzer harness: bytes as pyproject.toml ---------===//
//
// The first byte chooses the file name (pyproject.toml or .forksafe.toml); the rest is its
// text, parsed by toml++ and read by the configuration reader, then used the ways a run uses
// it: per-file-ignores globs matched against a path, the check globs applied.
//
//===----------------------------------------------------------------------===//
#include "core/CheckGlobs.h"
#include "core/Config.h"

#include <cstdint>

using namespace forksafe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  if (Size == 0)
    return 0;
  const char *Name = (Data[0] & 1) ? "/fuzz/project/.forksafe.toml" : "/fuzz/project/pyproject.toml";
  llvm::StringRef Text(reinterpret_cast<const char *>(Data) + 1, Size - 1);
  std::vector<InputError> Errors;
  std::shared_ptr<const Config> C = loadConfigText(Name, Text, Errors);
  (void)C->ignores("/fuzz/project/src/pkg/mod.py", "forksafe-fork-after-thread");
  (void)C->ignores("/elsewhere/x.py", "forksafe-syntax-error");
  CheckGlobs G("forksafe-*");
  if (C->Checks) {
    G.append(*C->Checks);
    (void)G.contains("forksafe-preexec-fn");
  }
  return 0;
}
