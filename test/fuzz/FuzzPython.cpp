//===--- FuzzPython.cpp - libFuzzer harness: bytes as a Python source file ---===//
//
// The path a file on disk takes through the CLI: decoding (BOM, PEP 263, NUL bytes, invalid
// UTF-8, line endings), every Python rule with default configuration, suppression comments,
// and applying the safe fixes to the original bytes.
//
//===----------------------------------------------------------------------===//
#include "core/CheckGlobs.h"
#include "core/Fixes.h"
#include "core/SourceText.h"
#include "core/Suppressions.h"
#include "python/PythonAnalyzer.h"

#include <cstdint>
#include <cstdlib>

using namespace forksafe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  llvm::StringRef Bytes(reinterpret_cast<const char *>(Data), Size);
  std::string Why;
  auto Decoded = decodePythonSource(Bytes, Why);
  if (!Decoded) {
    if (Why.empty())
      std::abort(); // a refused input must say why
    return 0;
  }
  static const CheckGlobs Enabled("forksafe-*");
  python::AnalyzeOptions Opts;
  Opts.Enabled = &Enabled;
  std::vector<Diagnostic> Diags;
  std::vector<InputError> Errors;
  python::analyze("/fuzz/input.py", Decoded->Text, Opts, Diags, Errors);
  applyPythonSuppressions(Decoded->Text, Diags);
  std::vector<Edit> Edits;
  for (const Diagnostic &D : Diags) {
    // Positions are 1-based and inside the text.
    if (D.Loc.Line == 0 || D.Loc.Column == 0)
      std::abort();
    if (D.FixIt && !Decoded->Transcoded)
      for (const Edit &E : D.FixIt->Edits) {
        if (E.Offset + E.Length > Decoded->Text.size())
          std::abort(); // an edit outside the file
        Edits.push_back(E);
      }
  }
  std::vector<bool> Taken;
  (void)applyEdits(Decoded->Text, Edits, Taken);
  return 0;
}
