#include "Diagnostic.h"

#include <tuple>

namespace forksafe {

bool operator<(const Diagnostic &A, const Diagnostic &B) {
  return std::tie(A.Loc.File, A.Loc.Line, A.Loc.Column, A.Check, A.Message) <
         std::tie(B.Loc.File, B.Loc.Line, B.Loc.Column, B.Check, B.Message);
}

} // namespace forksafe
