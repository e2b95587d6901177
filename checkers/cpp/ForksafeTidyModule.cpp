//===--- ForksafeTidyModule.cpp - The clang-tidy module "forksafe" --------===//

#include "CudaBeforeForkCheck.h"
#include "ExitInChildCheck.h"
#include "ForkAfterThreadCheck.h"
#include "ForkWithLockHeldCheck.h"
#include "VforkChildCheck.h"

#include "clang-tidy/ClangTidyModule.h"
#include "clang-tidy/ClangTidyModuleRegistry.h"

namespace clang::tidy::forksafe {

class ForksafeModule : public ClangTidyModule {
public:
  void addCheckFactories(ClangTidyCheckFactories &CheckFactories) override {
    CheckFactories.registerCheck<CudaBeforeForkCheck>("forksafe-cuda-before-fork");
    CheckFactories.registerCheck<ExitInChildCheck>("forksafe-exit-in-child");
    CheckFactories.registerCheck<ForkAfterThreadCheck>("forksafe-fork-after-thread");
    CheckFactories.registerCheck<ForkWithLockHeldCheck>("forksafe-fork-with-lock-held");
    CheckFactories.registerCheck<VforkChildCheck>("forksafe-vfork-child");
  }
};

static ClangTidyModuleRegistry::Add<ForksafeModule>
    X("forksafe-module", "Checks for unsafe uses of fork() and vfork().");

} // namespace clang::tidy::forksafe

// Referenced by the forksafe program so a static link keeps the registration above.
// NOLINTNEXTLINE(misc-use-internal-linkage)
volatile int ForksafeModuleAnchorSource = 0;
