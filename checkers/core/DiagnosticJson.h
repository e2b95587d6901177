//===--- DiagnosticJson.h - Findings to JSON and back, losslessly ------------===//
//
// For the results cache and for the C/C++ analyzer's own process, which hands its findings back
// to the forksafe program. Not a report format (core/Reporters.h has those): every field of
// Diagnostic and InputError survives the round trip.
//
//===----------------------------------------------------------------------===//
#ifndef FORKSAFE_CORE_DIAGNOSTICJSON_H
#define FORKSAFE_CORE_DIAGNOSTICJSON_H

#include "Diagnostic.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace forksafe {

std::string diagnosticsToJson(const std::vector<Diagnostic> &Diags, const std::vector<InputError> &Errors);

/// Parses what diagnosticsToJson wrote. False (with Diags and Errors untouched) on anything else.
bool diagnosticsFromJson(llvm::StringRef Text, std::vector<Diagnostic> &Diags, std::vector<InputError> &Errors);

} // namespace forksafe

#endif
