//===--- PythonAnalyzerTest.cpp - The Python analyzer on whole files --------===//
//
// Bad input (deep nesting, huge files, empty files, NUL bytes), the rule registry, the
// pre-filter, and configuration reaching the rules.
//
//===----------------------------------------------------------------------===//
#include "core/CheckGlobs.h"
#include "core/Config.h"
#include "python/PythonAnalyzer.h"
#include "python/ApiTable.h"
#include "python/Prefilter.h"

#include "gtest/gtest.h"

#include <chrono>
#include <set>
#include <string>

using namespace forksafe;

namespace {

struct Result {
  std::vector<Diagnostic> Diags;
  std::vector<InputError> Errors;
  unsigned count(llvm::StringRef Check) const {
    unsigned N = 0;
    for (const Diagnostic &D : Diags)
      N += D.Check == Check;
    return N;
  }
};

Result run(llvm::StringRef Source, llvm::StringRef Checks = "forksafe-*",
           const Config *Cfg = nullptr, llvm::StringRef Path = "t.py") {
  CheckGlobs Globs(Checks);
  python::AnalyzeOptions Opts;
  Opts.Enabled = &Globs;
  Opts.Cfg = Cfg;
  Result R;
  python::analyze(Path, Source, Opts, R.Diags, R.Errors);
  return R;
}

std::string repeat(llvm::StringRef S, unsigned N) {
  std::string Out;
  Out.reserve(S.size() * N);
  for (unsigned I = 0; I < N; ++I)
    Out += S.str();
  return Out;
}

const unsigned Deep = 20000;

TEST(PythonAnalyzer, RegistersEveryRuleOnce) {
  std::set<std::string> Ids;
  for (const python::RuleInfo &R : python::rules())
    EXPECT_TRUE(Ids.insert(R.Id).second) << R.Id;
  for (const char *Id : {"forksafe-hardcoded-fork-context", "forksafe-unguarded-process-start",
                         "forksafe-unpicklable-process-target", "forksafe-start-method-at-import",
                         "forksafe-preexec-fn", "forksafe-syntax-error"})
    EXPECT_EQ(Ids.count(Id), 1u) << Id;
}

TEST(PythonAnalyzer, EmptyFile) {
  Result R = run("");
  EXPECT_TRUE(R.Diags.empty());
  EXPECT_TRUE(R.Errors.empty());
}

TEST(PythonAnalyzer, DeeplyNestedParenthesesAroundAFinding) {
  std::string Src = "import multiprocessing as mp\nmp.get_context(" + repeat("(", Deep) +
                    "\"fork\"" + repeat(")", Deep) + ")\n";
  Result R = run(Src);
  EXPECT_TRUE(R.Errors.empty());
  EXPECT_EQ(R.count("forksafe-hardcoded-fork-context"), 1u);
  EXPECT_EQ(R.count("forksafe-syntax-error"), 0u);
}

TEST(PythonAnalyzer, DeeplyNestedExpressionsOfEveryShape) {
  const std::string Shapes[] = {
      "x = " + repeat("[", Deep) + repeat("]", Deep) + "\n",
      "x = " + repeat("f(", Deep) + repeat(")", Deep) + "\n",
      "x = a" + repeat(".b", Deep) + "\n",
      "x = 1" + repeat(" + 1", Deep) + "\n",
      "if __name__ == '__main__'" + repeat(" and a", Deep) + ":\n    pass\n",
      "x = " + repeat("lambda: ", Deep) + "y\n",
      "x = " + repeat("-", Deep) + "1\n",
      "x = " + repeat("{1: ", Deep) + "1" + repeat("}", Deep) + "\n",
      "x = " + repeat("not ", Deep) + "y\n",
  };
  for (const std::string &S : Shapes) {
    Result R = run("import multiprocessing as mp\n" + S + "mp.set_start_method('fork')\n");
    // Analysis completes, and what follows the deep part is still analysed.
    EXPECT_EQ(R.count("forksafe-hardcoded-fork-context"), 1u) << S.substr(0, 40);
    EXPECT_EQ(R.count("forksafe-start-method-at-import"), 1u) << S.substr(0, 40);
  }
}

TEST(PythonAnalyzer, DeeplyNestedCallsToProcessApis) {
  // A chain of pool constructions nested in each other: every one is a start.
  std::string Src = "from multiprocessing import Pool\nx = " + repeat("Pool(", 2000) +
                    repeat(")", 2000) + "\n";
  Result R = run(Src, "-*,forksafe-unguarded-process-start");
  EXPECT_EQ(R.count("forksafe-unguarded-process-start"), 1u); // one per statement
}

TEST(PythonAnalyzer, FifteenMegabyteFile) {
  std::string Block = "import multiprocessing as mp\n"
                      "def work(x):\n    return [x, x + 1, {'k': (x, 'fork')}]\n"
                      "mp.get_context('spawn')\n";
  std::string Src;
  while (Src.size() < 15u * 1024 * 1024)
    Src += Block;
  Src += "mp.get_context('fork')\n";
  // Speed is measured by bench/, never here: this asserts only that the whole file is analysed.
  Result R = run(Src);
  EXPECT_TRUE(R.Errors.empty());
  EXPECT_EQ(R.count("forksafe-hardcoded-fork-context"), 1u);
  EXPECT_EQ(R.count("forksafe-syntax-error"), 0u);
}

TEST(PythonAnalyzer, NulBytesInTheMiddle) {
  std::string Src = "import multiprocessing as mp\nx = 1\n";
  Src += std::string("y = \0\0 2\n", 9);
  Src += "mp.get_context('fork')\n";
  Result R = run(Src);
  ASSERT_EQ(R.count("forksafe-syntax-error"), 1u);
  for (const Diagnostic &D : R.Diags)
    if (D.Check == "forksafe-syntax-error") {
      EXPECT_EQ(D.Loc.Line, 3u);
      EXPECT_EQ(D.Loc.Column, 5u);
      EXPECT_NE(D.Message.find("NUL"), std::string::npos);
    }
  // The rest of the file is still analysed.
  EXPECT_EQ(R.count("forksafe-hardcoded-fork-context"), 1u);
}

TEST(PythonAnalyzer, SyntaxErrorDoesNotStopOtherRules) {
  Result R = run("import multiprocessing as mp\ndef f(:\n    pass\nmp.get_context('fork')\n");
  EXPECT_EQ(R.count("forksafe-syntax-error"), 1u);
  EXPECT_EQ(R.count("forksafe-hardcoded-fork-context"), 1u);
}

TEST(PythonAnalyzer, OnlyEnabledRulesRun) {
  Result R = run("import multiprocessing as mp\nmp.get_context('fork')\nx = (\n",
                 "-*,forksafe-syntax-error");
  EXPECT_EQ(R.count("forksafe-syntax-error"), 1u);
  EXPECT_EQ(R.Diags.size(), 1u);
}

TEST(PythonAnalyzer, PreFilterNeverSkipsWhatARuleNeeds) {
  CheckGlobs All("forksafe-*"), NoSyntax("forksafe-*,-forksafe-syntax-error"), None("-*"),
      OnlySyntax("-*,forksafe-syntax-error"), OnlyPreexec("-*,forksafe-preexec-fn");
  python::AnalyzeOptions O;
  O.Enabled = &All;
  // A syntax error concerns only a file that may concern some rule.
  EXPECT_FALSE(python::mayConcernAnyRule("x = (", O));
  EXPECT_TRUE(python::mayConcernAnyRule("import multiprocessing\nx = (", O));
  O.Enabled = &OnlySyntax;
  EXPECT_TRUE(python::mayConcernAnyRule("import multiprocessing\nx = (", O));
  EXPECT_FALSE(python::mayConcernAnyRule("import os\nx = (", O));
  O.Enabled = &NoSyntax;
  EXPECT_FALSE(python::mayConcernAnyRule("x = 1\nprint('forking')\n", O));
  EXPECT_TRUE(python::mayConcernAnyRule("x = 1\nprint('fork')\n", O)); // maybe os.fork
  EXPECT_TRUE(python::mayConcernAnyRule("import multiprocessing as m\n", O));
  EXPECT_TRUE(python::mayConcernAnyRule("from concurrent import futures\n", O));
  EXPECT_TRUE(python::mayConcernAnyRule("from torch import multiprocessing\n", O));
  EXPECT_TRUE(python::mayConcernAnyRule("import subprocess as sp\n", O));
  EXPECT_TRUE(python::mayConcernAnyRule("from os import forkpty\n", O));
  // Whole words only: "os", "pty" and "threading" alone concern no rule; "pty" is not in "empty".
  EXPECT_FALSE(python::mayConcernAnyRule("import os, pty, threading, logging, asyncio\nempty = 1\n", O));
  EXPECT_FALSE(python::mayConcernAnyRule("forkserver = multiprocessing_ = subprocesses = 1\n", O));
  O.Enabled = &OnlyPreexec;
  EXPECT_TRUE(python::mayConcernAnyRule("import asyncio\nasyncio.create_subprocess_exec(preexec_fn=f)\n", O));
  EXPECT_FALSE(python::mayConcernAnyRule("import multiprocessing\n", O));
  O.Enabled = &None;
  EXPECT_FALSE(python::mayConcernAnyRule("import multiprocessing\n", O));
  // Configured starters widen the filter.
  Config Cfg;
  Cfg.ProcessStarters = {"mylib.launch"};
  O.Enabled = &NoSyntax;
  EXPECT_FALSE(python::mayConcernAnyRule("import mylib\nmylib.launch()\n", O));
  O.Cfg = &Cfg;
  EXPECT_TRUE(python::mayConcernAnyRule("import mylib\nmylib.launch()\n", O));
  // Without the pre-filter every file concerns every enabled rule.
  O.Prefilter = false;
  O.Cfg = nullptr;
  EXPECT_TRUE(python::mayConcernAnyRule("x = 1\n", O));
}

TEST(PythonAnalyzer, SyntaxErrorsOfFilesNoRuleConcernsAreNotReported) {
  EXPECT_EQ(run("def f(:\n    pass\n").count("forksafe-syntax-error"), 0u);
  EXPECT_EQ(run("import subprocess\ndef f(:\n    pass\n").count("forksafe-syntax-error"), 1u);
}

TEST(TriggerWords, WholeWords) {
  EXPECT_TRUE(python::containsWord("a fork", "fork"));
  EXPECT_TRUE(python::containsWord("os.fork()", "fork"));
  EXPECT_TRUE(python::containsWord("fork", "fork"));
  EXPECT_TRUE(python::containsWord("forkserver fork", "fork"));
  EXPECT_FALSE(python::containsWord("forkserver _fork fork2", "fork"));
  EXPECT_FALSE(python::containsWord("empty", "pty"));
  EXPECT_FALSE(python::containsWord("", "pty"));
}

TEST(StringCompat, FindText) {
  // From the start, from an offset, at the very end, overlapping candidates, and the limits.
  EXPECT_EQ(findText("from x import y", "import"), 7u);
  EXPECT_EQ(findText("import a\nimport b", "import", 1), 9u);
  EXPECT_EQ(findText("x = 1  # import", "import"), 9u);
  EXPECT_EQ(findText("impimport", "import"), 3u);
  EXPECT_EQ(findText("importe", "import", 1), llvm::StringRef::npos);
  EXPECT_EQ(findText("impor", "import"), llvm::StringRef::npos);
  EXPECT_EQ(findText("", "import"), llvm::StringRef::npos);
  EXPECT_EQ(findText("abc", "", 3), 3u);
  EXPECT_EQ(findText("abc", "a", 4), llvm::StringRef::npos);
  // A haystack that is a slice of a longer text: nothing past its end is found.
  llvm::StringRef Longer = "from a import b";
  EXPECT_EQ(findText(Longer.take_front(10), "import"), llvm::StringRef::npos);
  EXPECT_TRUE(containsText("# forksafe: ignore", "forksafe"));
  EXPECT_FALSE(containsText("# forksafe: ignore", "forksafe:i"));
}

TEST(StringCompat, FindTextAgreesWithFindInLongTexts) {
  // Long texts are searched sixteen places at a time: a needle at every place around the
  // blocks' edges, near misses (first and last byte right, a byte between wrong), the text's
  // very end, and a slice whose next bytes would complete a match.
  for (std::string Needle : {"import", "forksafe", "ab", "xyz"}) {
    std::string Miss = Needle;
    if (Miss.size() > 2)
      Miss[1] = '#';
    for (size_t Len = 0; Len < 70; ++Len) {
      for (size_t At = 0; At + Needle.size() <= Len; ++At) {
        std::string Text(Len, '.');
        // A near miss before the match, where it fits.
        if (Miss != Needle && At >= Miss.size() + 1)
          Text.replace(At - Miss.size() - 1, Miss.size(), Miss);
        Text.replace(At, Needle.size(), Needle);
        for (size_t From : {size_t(0), size_t(1), At, At + 1})
          EXPECT_EQ(findText(Text, Needle, From),
                    From > Text.size() ? llvm::StringRef::npos : Text.find(Needle, From))
              << Needle << " at " << At << " in " << Len << " from " << From;
        // Cut one byte before the match's end: not found.
        EXPECT_EQ(findText(llvm::StringRef(Text).take_front(At + Needle.size() - 1), Needle),
                  llvm::StringRef::npos);
      }
    }
  }
}

TEST(TriggerWords, CodeOnly) {
  auto Words = [](llvm::StringRef Source) {
    std::vector<std::string> Code, Strings;
    python::scanCode(
        Source,
        [&](llvm::StringRef W) {
          Code.push_back(W.str());
          return false;
        },
        [&](llvm::StringRef S) {
          Strings.push_back(S.str());
          return false;
        });
    return std::make_pair(Code, Strings);
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(Words("a # b 'c'\nd").first, (V{"a", "d"}));
  EXPECT_EQ(Words("x = 'it\\'s' + y").first, (V{"x", "y"}));
  EXPECT_EQ(Words("x = 'it\\'s' + y").second, (V{"'it\\'s'"}));
  EXPECT_EQ(Words("\"\"\"doc 'q' \"\n more\"\"\"\nz").first, (V{"z"}));
  EXPECT_EQ(Words("rb'raw' f\"{v}\" u").first, (V{"rb", "f", "u"}));
  // An unterminated single-quoted string ends with its line; an unterminated triple-quoted
  // one with the file.
  EXPECT_EQ(Words("s = 'open\nnext").first, (V{"s", "next"}));
  EXPECT_EQ(Words("s = '''open\nnext").first, (V{"s"}));
  // Stops when a callback says so.
  EXPECT_TRUE(python::scanCode("a b", [](llvm::StringRef W) { return W == "b"; }));
  EXPECT_FALSE(python::scanCode("a 'b'", [](llvm::StringRef W) { return W == "b"; }));

  python::TriggerWords T(python::ApiTable::builtin());
  auto Meets = [&](llvm::StringRef Source, python::RuleNeeds N) {
    return python::TriggerWords::meets(T.scan(Source), N);
  };
  EXPECT_FALSE(Meets("# uses multiprocessing\n'''subprocess'''\n", python::RuleNeeds::AnyRule));
  EXPECT_TRUE(Meets("import multiprocessing\n", python::RuleNeeds::AnyRule));
  EXPECT_TRUE(Meets("m = 'fork'\n", python::RuleNeeds::ForkOrProcessStart));
  EXPECT_FALSE(Meets("m = 'forkserver'\n", python::RuleNeeds::ForkOrProcessStart));
  EXPECT_FALSE(Meets("'''A Thread here.'''\n", python::RuleNeeds::SummaryEffect));
  EXPECT_TRUE(Meets("t = Thread()\n", python::RuleNeeds::SummaryEffect));
  EXPECT_TRUE(Meets("m.to('cuda:0')\n", python::RuleNeeds::SummaryEffect));
  // "fork" in a string names a start method, which a summary does not hold.
  EXPECT_FALSE(Meets("m = 'fork'\n", python::RuleNeeds::SummaryEffect));
  EXPECT_TRUE(Meets("os.fork()\n", python::RuleNeeds::SummaryEffect));
  // Remembered texts give the same answers as a scan, and texts that differ their own.
  std::string Code = std::string(5000, '#') + "\nimport multiprocessing\n";
  std::string Doc = "'''" + std::string(5000, ' ') + "'''\nmultiprocessing = 1\n";
  std::string Comment = std::string(5000, '#') + "\n# import multiprocessing\n";
  // Texts are first searched for any word many bytes at a time: a word found at every
  // offset from the start of a sixteen-byte block, across blocks, and at the very end; a
  // word that only ends a longer one, at every offset, is none.
  for (size_t Off = 0; Off < 40; ++Off) {
    std::string Pad(Off, ' '), Glued(Off, 'x');
    EXPECT_TRUE(Meets(Pad + "import multiprocessing\n", python::RuleNeeds::AnyRule)) << Off;
    EXPECT_TRUE(Meets(Pad + "jax.numpy", python::RuleNeeds::SummaryEffect)) << Off;
    EXPECT_TRUE(Meets(Pad + "x=fork", python::RuleNeeds::ForkOrProcessStart)) << Off;
    EXPECT_EQ(Meets(Glued + "multiprocessing", python::RuleNeeds::AnyRule), Off == 0) << Off;
    EXPECT_FALSE(Meets(Glued + "_fork()", python::RuleNeeds::AnyRule)) << Off;
    EXPECT_FALSE(Meets(Pad + "forks = jaxx", python::RuleNeeds::SummaryEffect)) << Off;
  }
  for (int Twice = 0; Twice < 2; ++Twice) {
    EXPECT_EQ(T.needsIn(Code), T.scan(Code));
    EXPECT_TRUE(python::TriggerWords::meets(T.needsIn(Code), python::RuleNeeds::AnyRule));
    EXPECT_TRUE(python::TriggerWords::meets(T.needsIn(Doc), python::RuleNeeds::AnyRule));
    EXPECT_FALSE(python::TriggerWords::meets(T.needsIn(Comment), python::RuleNeeds::AnyRule));
  }
}

TEST(PythonAnalyzer, ConfiguredProcessStarters) {
  Config Cfg;
  Cfg.ProcessStarters = {"mylib.launch", "mylib.Runner.run"};
  Result R = run("import mylib\nfrom mylib import Runner\nmylib.launch()\nRunner().run()\n"
                 "if __name__ == '__main__':\n    mylib.launch()\n",
                 "-*,forksafe-unguarded-process-start", &Cfg);
  EXPECT_EQ(R.count("forksafe-unguarded-process-start"), 2u);
  Result Without = run("import mylib\nmylib.launch()\n", "-*,forksafe-unguarded-process-start");
  EXPECT_EQ(Without.count("forksafe-unguarded-process-start"), 0u);
}

TEST(PythonAnalyzer, HardcodedForkFixIsUnsafeAndReplacesTheWord) {
  std::string Src = "import multiprocessing as mp\nmp.get_context('fork')\n";
  Result R = run(Src, "-*,forksafe-hardcoded-fork-context");
  ASSERT_EQ(R.Diags.size(), 1u);
  ASSERT_TRUE(R.Diags[0].FixIt.has_value());
  const Fix &F = *R.Diags[0].FixIt;
  EXPECT_EQ(F.Kind, Applicability::Unsafe);
  ASSERT_EQ(F.Edits.size(), 1u);
  EXPECT_EQ(Src.substr(F.Edits[0].Offset, F.Edits[0].Length), "fork");
  EXPECT_EQ(F.Edits[0].Replacement, "spawn");
}

} // namespace
