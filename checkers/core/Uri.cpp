#include "Uri.h"

#include "llvm/ADT/StringExtras.h"

namespace forksafe {

std::string percentEncodePath(llvm::StringRef Path) {
  std::string Out;
  for (char C : Path) {
    if (llvm::isAlnum(C) || llvm::StringRef("-._~/").contains(C))
      Out += C;
    else
      Out += "%" + llvm::utohexstr((unsigned char)C, /*LowerCase=*/false, 2);
  }
  return Out;
}

std::string fileUri(llvm::StringRef AbsolutePath) { return "file://" + percentEncodePath(AbsolutePath); }

std::optional<std::string> pathOfFileUri(llvm::StringRef Uri) {
  if (!Uri.consume_front("file://"))
    return std::nullopt;
  std::string Out;
  for (size_t I = 0; I < Uri.size(); ++I) {
    unsigned V;
    if (Uri[I] == '%' && I + 2 < Uri.size() && !Uri.substr(I + 1, 2).getAsInteger(16, V)) {
      Out += char(V);
      I += 2;
      continue;
    }
    Out += Uri[I];
  }
  return Out;
}

} // namespace forksafe
