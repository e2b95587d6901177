"""The lit test format of forksafe's suites (imported by lit.cfg.py; a module of its own so
lit's worker processes can unpickle it)."""
import lit.formats
import lit.Test


class ForksafeShTest(lit.formats.ShTest):
    """ShTest, except that a sanitized build (ASan + UBSan) skips the tests that load the
    clang-tidy plugin: a sanitized shared object cannot be loaded into an unsanitized
    clang-tidy. Everything run through the forksafe program still runs."""

    def __init__(self, sanitized):
        super().__init__(execute_external=False)
        self.sanitized = sanitized

    def execute(self, test, lit_config):
        if self.sanitized:
            with open(test.getSourcePath(), encoding="utf-8", errors="replace") as f:
                if "%forksafe_plugin" in f.read():
                    return lit.Test.Result(lit.Test.UNSUPPORTED,
                                           "loads the clang-tidy plugin (no ASan in clang-tidy)")
        return super().execute(test, lit_config)
