//===--- PythonSemanticModelTest.cpp - The model the Python rules share -----===//
#include "core/Config.h"
#include "python/ApiTable.h"
#include "python/SemanticModel.h"
#include "python/SyntaxTree.h"

#include "gtest/gtest.h"

#include <map>
#include <vector>
#include <string>

using namespace forksafe;
using namespace forksafe::python;

namespace {

/// Parses Source and gives access to the model and to call sites by their callee text.
struct Model {
  explicit Model(std::string Src)
      : Source(std::move(Src)), Tree(SyntaxTree::parse(Source)),
        M(Tree, ApiTable::builtin()) {}

  /// The N-th call (0-based, source order) whose callee is spelled Callee.
  const CallSite &call(llvm::StringRef Callee, unsigned N = 0) const {
    for (const CallSite &C : M.calls())
      if (M.text(C.Callee) == Callee && N-- == 0)
        return C;
    ADD_FAILURE() << "no call of " << Callee.str();
    return M.calls().front();
  }
  std::string callee(llvm::StringRef Callee, unsigned N = 0) const {
    return M.calleeName(call(Callee, N));
  }
  std::string Source;
  SyntaxTree Tree;
  SemanticModel M;
};

TEST(PythonSemanticModel, ResolvesImportsAndAliases) {
  Model T(R"py(
import multiprocessing as mp
from multiprocessing import get_context as gc
import torch.multiprocessing as tmp
from concurrent import futures
import concurrent.futures
import os.path
mp.get_context("spawn")
gc("spawn")
tmp.spawn(f)
futures.ProcessPoolExecutor()
concurrent.futures.ThreadPoolExecutor()
os.path.join("a")
)py");
  EXPECT_EQ(T.callee("mp.get_context"), "multiprocessing.get_context");
  EXPECT_EQ(T.callee("gc"), "multiprocessing.get_context");
  EXPECT_EQ(T.callee("tmp.spawn"), "torch.multiprocessing.spawn");
  EXPECT_EQ(T.callee("futures.ProcessPoolExecutor"), "concurrent.futures.ProcessPoolExecutor");
  EXPECT_EQ(T.callee("concurrent.futures.ThreadPoolExecutor"),
            "concurrent.futures.ThreadPoolExecutor");
  EXPECT_EQ(T.callee("os.path.join"), "os.path.join");
  // torch.multiprocessing re-exports multiprocessing.
  EXPECT_NE(ApiTable::builtin().lookup("torch.multiprocessing.get_context"), nullptr);
}

TEST(PythonSemanticModel, LocalDefinitionsShadowImports) {
  Model T(R"py(
from multiprocessing import get_context, Pool
def get_context(x):
    return x
get_context("fork")
def f(Pool):
    Pool(2)
class C:
    def m(self):
        self.get_context("fork")
from . import set_start_method
set_start_method("fork")
)py");
  EXPECT_EQ(T.callee("get_context"), "");
  EXPECT_EQ(T.callee("Pool"), ""); // a parameter
  EXPECT_EQ(T.callee("self.get_context"), "");
  EXPECT_EQ(T.callee("set_start_method"), ""); // relative import: this package's own
}

TEST(PythonSemanticModel, ImportFallbackToNoneStillResolves) {
  Model T(R"py(
try:
    import multiprocessing as mp
except ImportError:
    mp = None
mp.get_context("fork")
def f():
    mp.set_start_method("spawn")
)py");
  EXPECT_EQ(T.callee("mp.get_context"), "multiprocessing.get_context");
  EXPECT_EQ(T.callee("mp.set_start_method"), "multiprocessing.set_start_method");
}

TEST(PythonSemanticModel, StarImportsOfKnownNames) {
  Model T("from multiprocessing import *\nget_context('fork')\nunknown_name()\n");
  EXPECT_EQ(T.callee("get_context"), "multiprocessing.get_context");
  EXPECT_EQ(T.callee("unknown_name"), "");
}

TEST(PythonSemanticModel, ReceiverKinds) {
  Model T(R"py(
import multiprocessing as mp
from multiprocessing.pool import ThreadPool
from concurrent.futures import ProcessPoolExecutor as PPE
ctx = mp.get_context("spawn")
pool = mp.Pool()
pool.map(f, x)
with ctx.Pool() as p2:
    p2.map(f, x)
tp = ThreadPool()
tp.map(f, x)
ex = PPE(mp_context=ctx)
ex.submit(f)
both = mp.Pool()
both = ThreadPool()
both.map(f, x)
fork_ctx = mp.get_context(method="fork")
fork_ctx.Process(target=f).start()
class Worker(mp.Process):
    pass
Worker().start()
)py");
  EXPECT_EQ(T.callee("pool.map"), "multiprocessing.pool.Pool.map");
  EXPECT_EQ(T.callee("p2.map"), "multiprocessing.pool.Pool.map");
  EXPECT_EQ(T.callee("tp.map"), "multiprocessing.pool.ThreadPool.map");
  EXPECT_EQ(T.callee("ex.submit"), "concurrent.futures.ProcessPoolExecutor.submit");
  EXPECT_EQ(T.callee("both.map"), ""); // bound to a process pool and to a thread pool
  EXPECT_EQ(T.callee("fork_ctx.Process(target=f).start"), "multiprocessing.Process.start");
  EXPECT_EQ(T.callee("Worker().start"), "multiprocessing.Process.start");

  const CallSite &Ex = T.call("PPE");
  ReceiverType R = T.M.typeOf(Ex.Call, Ex.Scope);
  EXPECT_EQ(R.Type, types::ProcessExecutor);
  EXPECT_EQ(R.StartMethod, "spawn");
  const CallSite &Fp = T.call("fork_ctx.Process");
  EXPECT_EQ(T.M.typeOf(Fp.Call, Fp.Scope).StartMethod, "fork");
  const CallSite &Dp = T.call("mp.Pool");
  EXPECT_EQ(T.M.typeOf(Dp.Call, Dp.Scope).StartMethod, ""); // the platform default
}

TEST(PythonSemanticModel, ReceiversHeldInSelfAttributes) {
  Model T(R"py(
import multiprocessing as mp
from multiprocessing.pool import ThreadPool
class Crawler:
    def __init__(self):
        self.pool = mp.Pool()
        self.mixed = mp.Pool()
        self.maybe = None
    def later(self):
        self.mixed = ThreadPool()
        self.maybe = ThreadPool()
    def crawl(self):
        self.pool.map(f, x)
        self.mixed.map(f, x)
        self.maybe.map(f, x)
        self.unset.map(f, x)
def outside(self):
    self.pool.map(f, x)
)py");
  EXPECT_EQ(T.callee("self.pool.map"), "multiprocessing.pool.Pool.map");
  EXPECT_EQ(T.callee("self.mixed.map"), "");
  // `self.maybe = None` is a placeholder, not a type.
  EXPECT_EQ(T.callee("self.maybe.map"), "multiprocessing.pool.ThreadPool.map");
  EXPECT_EQ(T.callee("self.unset.map"), "");
  EXPECT_EQ(T.callee("self.pool.map", 1), ""); // not a method: `self` is just a parameter
}

TEST(PythonSemanticModel, StringConstants) {
  Model T(R"py(
A = "fork"
B = "fo" "rk"
C = "fork"
C = "spawn"
D = f"fork{x}"
E = b"fork"
g(A, B, C, D, E, 'fork', ("fork"), r"fork", "\x66ork")
)py");
  const CallSite &G = T.call("g");
  auto Args = G.Call.field("arguments").codeChildren();
  ASSERT_EQ(Args.size(), 9u);
  auto V = [&](unsigned I) { return T.M.stringValue(Args[I], G.Scope); };
  EXPECT_EQ(V(0), std::optional<std::string>("fork"));
  EXPECT_EQ(V(1), std::optional<std::string>("fork"));
  EXPECT_EQ(V(2), std::nullopt); // bound twice
  EXPECT_EQ(V(3), std::nullopt); // f-string
  EXPECT_EQ(V(4), std::nullopt); // bytes
  EXPECT_EQ(V(5), std::optional<std::string>("fork"));
  EXPECT_EQ(V(6), std::optional<std::string>("fork"));
  EXPECT_EQ(V(7), std::optional<std::string>("fork"));
  EXPECT_EQ(V(8), std::nullopt); // escapes are not decoded: never a false "fork"
}

TEST(PythonSemanticModel, MainGuardEitherOrder) {
  Model T(R"py(
if __name__ == "__main__":
    a()
if '__main__' == __name__:
    b()
if __name__ == "__main__" and ready:
    c()
if __name__ != "__main__":
    d()
else:
    e()
if name == "__main__":
    f()
g()
)py");
  EXPECT_TRUE(T.call("a").Guarded);
  EXPECT_TRUE(T.call("b").Guarded);
  EXPECT_TRUE(T.call("c").Guarded);
  EXPECT_FALSE(T.call("d").Guarded);
  EXPECT_TRUE(T.call("e").Guarded);
  EXPECT_FALSE(T.call("f").Guarded);
  EXPECT_FALSE(T.call("g").Guarded);
}

TEST(PythonSemanticModel, ScopesAndStatementsInOrder) {
  Model T(R"py(
import os
class K:
    x = 1
    def m(self):
        def inner():
            pass
        return inner
lam = lambda: 0
)py");
  ASSERT_EQ(T.M.scopes().size(), 5u);
  EXPECT_EQ(T.M.scopes()[0].Kind, ScopeKind::Module);
  EXPECT_EQ(T.M.scopes()[0].Statements.size(), 3u);
  EXPECT_EQ(T.M.scopes()[1].Kind, ScopeKind::Class);
  EXPECT_EQ(T.M.scopes()[1].Name, "K");
  EXPECT_EQ(T.M.scopes()[1].Statements.size(), 2u);
  EXPECT_EQ(T.M.scopes()[2].Kind, ScopeKind::Function);
  EXPECT_EQ(T.M.scopes()[2].Name, "m");
  EXPECT_EQ(T.M.scopes()[2].Statements.size(), 2u);
  EXPECT_EQ(T.M.scopes()[3].Name, "inner");
  EXPECT_EQ(T.M.scopes()[3].Parent, 2);
  EXPECT_EQ(T.M.scopes()[4].Kind, ScopeKind::Lambda);
}

TEST(PythonSemanticModel, CallGraphAndImportTimeCalls) {
  Model T(R"py(
def leaf():
    start()
def middle():
    leaf()
def unused():
    never()
class Svc:
    def __init__(self):
        self.boot()
    def boot(self):
        booted()
middle()
Svc()
svc = Svc()
svc.boot()
if __name__ == "__main__":
    guarded()
)py");
  EXPECT_GE(T.M.calledFunction(T.call("middle")), 0);
  EXPECT_EQ(T.M.scopes()[T.M.calledFunction(T.call("middle"))].Name, "middle");
  EXPECT_EQ(T.M.scopes()[T.M.calledFunction(T.call("Svc"))].Name, "__init__");
  EXPECT_EQ(T.M.scopes()[T.M.calledFunction(T.call("self.boot"))].Name, "boot");
  EXPECT_EQ(T.M.calledFunction(T.call("start")), -1);

  std::map<std::string, size_t> ChainLength;
  for (const ImportTimeCall &IC : T.M.importTimeCalls())
    ChainLength[T.M.text(T.M.calls()[IC.Call].Callee).str()] = IC.Chain.size();
  EXPECT_EQ(ChainLength.count("start"), 1u);
  EXPECT_EQ(ChainLength["start"], 2u); // middle() -> leaf() -> start()
  EXPECT_EQ(ChainLength["booted"], 1u); // svc.boot() -> booted(): shorter than through Svc()
  EXPECT_EQ(ChainLength.count("never"), 0u);
  EXPECT_EQ(T.M.scopes()[T.M.calledMethodOfLocalInstance(T.call("svc.boot"))].Name, "boot");
  EXPECT_EQ(ChainLength.count("guarded"), 0u);
}

TEST(PythonSemanticModel, ExclusiveBranches) {
  Model T(R"py(
if c:
    a()
    a2()
elif d:
    b()
else:
    e()
after()
try:
    t()
except E:
    x()
)py");
  auto Arm = [&](const char *N) { return T.call(N).Branch; };
  EXPECT_TRUE(T.M.exclusiveBranches(Arm("a"), Arm("b")));
  EXPECT_TRUE(T.M.exclusiveBranches(Arm("b"), Arm("e")));
  EXPECT_FALSE(T.M.exclusiveBranches(Arm("a"), Arm("a2")));
  EXPECT_FALSE(T.M.exclusiveBranches(Arm("a"), Arm("after")));
  EXPECT_TRUE(T.M.exclusiveBranches(Arm("t"), Arm("x")));
}

TEST(PythonSemanticModel, ConfigExtendsTheTable) {
  Config Cfg;
  Cfg.ProcessStarters = {"mylib.Runner.run", "mylib.launch"};
  ApiTable Api(&Cfg);
  ASSERT_NE(Api.lookup("mylib.launch"), nullptr);
  EXPECT_TRUE(Api.lookup("mylib.Runner.run")->Flags & StartsProcesses);
  EXPECT_NE(Api.lookup("multiprocessing.Pool"), nullptr);
  EXPECT_EQ(ApiTable::builtin().lookup("mylib.launch"), nullptr);
}

} // namespace

namespace {

TEST(PythonSemanticModel, ChainedAssignmentBindsEachTargetOnce) {
  // a1 = a2 = ... = a400 = make(): every target is bound to the value once, not once per level
  // of the chain above it (which made the standard library's 800-target chains quadratic).
  std::string Src = "import multiprocessing as mp\n";
  for (unsigned I = 1; I <= 400; ++I)
    Src += "a" + std::to_string(I) + " = ";
  Src += "mp.get_context('spawn')\nb = c = 1\n";
  Model T(Src);
  const auto &Names = T.M.scopes()[0].Names;
  for (const char *N : {"a1", "a2", "a200", "a400", "b", "c"}) {
    auto It = Names.find(N);
    ASSERT_NE(It, Names.end()) << N;
    EXPECT_EQ(It->second.size(), 1u) << N;
  }
  // The value and the calls in it are still seen.
  EXPECT_EQ(T.callee("mp.get_context"), "multiprocessing.get_context");
}

/// Every node of T's tree, named or not, in document order.
static std::vector<Node> allNodes(const SyntaxTree &T) {
  std::vector<Node> Out;
  std::vector<Node> Work{T.root()};
  while (!Work.empty()) {
    Node N = Work.back();
    Work.pop_back();
    Out.push_back(N);
    auto Kids = N.children();
    for (auto It = Kids.rbegin(); It != Kids.rend(); ++It)
      Work.push_back(*It);
  }
  return Out;
}

TEST(PythonSemanticModel, ParentOfIsTreeSittersParent) {
  // Top-level statements, comments between them, decorators, nested blocks, strings,
  // adjacent tokens (`f(g(x))`), and text that does not parse.
  for (const char *Src : {
           "import os\n# c\n@dec\ndef f(a, b=g(1)):\n    \"\"\"doc\"\"\"\n    return f(g(x))[0]\n"
           "class C(B):\n    def m(self):\n        self.x = y = (z)\n\nx = [i for i in y if i]\n",
           "def f(:\n    x = )\nclass\n  y = [1, 2\nz = f'{a(b)}' # tail\n",
           "\n\n   \nx=1;y=2\nif a:\n  pass\nelif b:\n  pass\nelse:\n  pass\n",
           "",
       }) {
    Model T(Src);
    unsigned Checked = 0;
    for (Node N : allNodes(T.Tree)) {
      Node Want(ts_node_parent(N.raw()));
      Node Got = T.M.parentOf(N);
      ++Checked;
      EXPECT_TRUE(Got == Want) << "parent of " << N.type().str() << " at " << N.startByte()
                               << " in: " << Src;
    }
    EXPECT_GT(Checked, 0u);
  }
}

TEST(PythonSemanticModel, MethodSelfAssignments) {
  Model T(R"py(
import threading
class Server:
    def __init__(self):
        self.a = threading.Thread()
        x = self.b = threading.Thread()
        self.c = y = threading.Thread()
        self.d += 1
        def inner():
            self.e = threading.Thread()
        class Local:
            self.f = 1
    def stop(self):
        if True:
            self.a = None
)py");
  int Cls = -1;
  for (unsigned I = 0; I < T.M.scopes().size(); ++I)
    if (T.M.scopes()[I].Name == "Server")
      Cls = I;
  ASSERT_GE(Cls, 0);
  const auto *V = T.M.methodSelfAssignments(Cls);
  ASSERT_NE(V, nullptr);
  std::map<std::string, unsigned> Count;
  for (const auto &E : *V)
    Count[E.getKey().str()] = E.getValue().size();
  // `self.c = y = ...`'s value is an assignment; augmented assignments, nested functions
  // and classes are not the methods' own.
  std::map<std::string, unsigned> Want{{"a", 2}, {"b", 1}};
  EXPECT_EQ(Count, Want);
  EXPECT_EQ(T.M.methodSelfAssignments(0), nullptr);
}

TEST(PythonSemanticModel, ExpressionsWithoutCallsStillBindAndScope) {
  // No parenthesis anywhere in these expressions: a lambda, a walrus and a comprehension
  // must still be seen inside them.
  Model T(R"py(
handlers = {"k": lambda: x}
pair = [y := 1, y]
names = {v for v in items}
s = "(" if z else ")"
)py");
  unsigned Lambdas = 0;
  for (const Scope &S : T.M.scopes())
    Lambdas += S.Kind == ScopeKind::Lambda;
  EXPECT_EQ(Lambdas, 1u);
  const Binding *Y = T.M.lookup("y", 0, T.Source.size());
  ASSERT_NE(Y, nullptr);
  EXPECT_EQ(Y->Kind, BindingKind::Assignment);
  EXPECT_NE(T.M.lookup("v", 0, T.Source.size()), nullptr);
}

TEST(PythonSemanticModel, RememberedAnswersMatchFreshOnes) {
  Model T(R"py(
import multiprocessing as mp
ctx = mp.get_context("spawn")
pool = ctx.Pool()
pool.map(f, [1])
def g():
    return pool.apply(f)
)py");
  for (const CallSite &C : T.M.calls()) {
    CallSite Copy = C; // not one of calls(): answered without the memo
    EXPECT_EQ(T.M.calleeName(C), T.M.calleeName(Copy));
    EXPECT_EQ(T.M.calleeName(C), T.M.calleeName(C));
    EXPECT_EQ(T.M.apiOf(C), T.M.apiOf(Copy));
    EXPECT_EQ(T.M.calledFunction(C), T.M.calledFunction(Copy));
  }
  EXPECT_EQ(T.callee("pool.map"), "multiprocessing.pool.Pool.map");
  EXPECT_EQ(T.callee("pool.apply"), "multiprocessing.pool.Pool.apply");
}

} // namespace
