#ifndef FORKSAFE_DRIVER_EMBEDDEDDOCS_H
#define FORKSAFE_DRIVER_EMBEDDEDDOCS_H

#include "llvm/ADT/ArrayRef.h"

namespace forksafe {

/// One docs/checks/<Id>.md page, compiled into the program.
struct DocPage {
  const char *Id;
  const char *Markdown;
};

llvm::ArrayRef<DocPage> docPages();

} // namespace forksafe

#endif
