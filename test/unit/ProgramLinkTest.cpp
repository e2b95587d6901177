// The whole-program linker over hand-made summaries: order of thread starts and forks along
// paths from each main, loops, thread bodies, wrappers of wrappers, indirect calls, and the
// JSON form of summaries.
#include "cpp/ProgramLink.h"

#include <gtest/gtest.h>

using namespace clang::tidy::forksafe;

namespace {

SummaryEvent event(SummaryEvent::Kind K, const std::string &Name, unsigned Line,
                   const std::string &Target = "", unsigned Loop = 0) {
  SummaryEvent E;
  E.K = K;
  E.Name = Name;
  E.Target = Target;
  E.Loc = {"/p/a.c", Line, 3};
  E.Loop = Loop;
  E.Unconditional = Loop == 0;
  return E;
}

FunctionSummary function(const std::string &Name, std::vector<SummaryEvent> Events,
                         bool IsMain = false) {
  FunctionSummary F;
  F.Usr = IsMain ? "c:@F@main" : "c:@F@" + Name;
  F.Name = Name;
  F.Loc = {"/p/a.c", 1, 1};
  F.IsMain = IsMain;
  F.Events = std::move(Events);
  return F;
}

ProgramSummary program(std::vector<FunctionSummary> Functions) {
  UnitSummary U;
  U.File = "/p/a.c";
  U.Functions = std::move(Functions);
  ProgramSummary P;
  P.Units.push_back(std::move(U));
  return P;
}

SourcePoint at(unsigned Line) { return {"/p/a.c", Line, 3}; }

const ProgramLink::Extras NoExtras;

} // namespace

TEST(ProgramLink, ForkBeforeTheFirstThreadIsNotAfterIt) {
  ProgramLink L(program({
      function("main",
               {event(SummaryEvent::Call, "daemonize", 10, "c:@F@daemonize"),
                event(SummaryEvent::Call, "start", 11, "c:@F@start"),
                event(SummaryEvent::Call, "spawn", 12, "c:@F@spawn")},
               true),
      function("daemonize", {event(SummaryEvent::Fork, "fork", 20)}),
      function("start", {event(SummaryEvent::ThreadStart, "pthread_create", 30)}),
      function("spawn", {event(SummaryEvent::Fork, "fork", 40)}),
  }));
  EXPECT_FALSE(L.hazardAt(ProgramLink::Threads, at(20), NoExtras));
  auto S = L.hazardAt(ProgramLink::Threads, at(40), NoExtras);
  ASSERT_TRUE(S);
  EXPECT_EQ(S->Event.Loc.Line, 30u);
  ASSERT_EQ(S->Before.size(), 1u);
  EXPECT_EQ(S->Before[0].Callee, "start");
  ASSERT_EQ(S->Path.size(), 1u);
  EXPECT_EQ(S->Path[0].Callee, "spawn");
  EXPECT_EQ(S->Entry.Callee, "main");
}

TEST(ProgramLink, ALoopMakesItsThreadStartPrecedeItsFork) {
  ProgramLink L(program({function(
      "main",
      {event(SummaryEvent::Fork, "fork", 10, "", 1),
       event(SummaryEvent::ThreadStart, "pthread_create", 11, "", 1)},
      true)}));
  EXPECT_TRUE(L.hazardAt(ProgramLink::Threads, at(10), NoExtras));
}

TEST(ProgramLink, AForkInAThreadBodyRunsBesideThatThread) {
  ProgramLink L(program({
      function("main", {event(SummaryEvent::ThreadStart, "pthread_create", 10, "c:@F@body")},
               true),
      function("body", {event(SummaryEvent::Fork, "fork", 20)}),
  }));
  auto S = L.hazardAt(ProgramLink::Threads, at(20), NoExtras);
  ASSERT_TRUE(S);
  EXPECT_EQ(S->ThreadBody, "body");
  EXPECT_TRUE(S->Path.empty());
}

TEST(ProgramLink, IndirectCallsReachAddressTakenFunctionsOfTheirType) {
  ProgramSummary P = program({
      function("main",
               {event(SummaryEvent::ThreadStart, "pthread_create", 10),
                event(SummaryEvent::IndirectCall, "", 11, "void (int)")},
               true),
      function("handler", {event(SummaryEvent::Fork, "fork", 20)}),
      function("other", {event(SummaryEvent::Fork, "fork", 30)}),
  });
  P.Units[0].Pointers = {{"c:@F@handler", "void (int)"}, {"c:@F@other", "int (void)"}};
  ProgramLink L(std::move(P));
  EXPECT_TRUE(L.hazardAt(ProgramLink::Threads, at(20), NoExtras));
  EXPECT_FALSE(L.hazardAt(ProgramLink::Threads, at(30), NoExtras));
}

TEST(ProgramLink, WrappersOfWrappersAreForkWrappers) {
  ProgramSummary P = program({function("inner", {event(SummaryEvent::Fork, "fork", 10)}),
                              function("outer", {})});
  P.Units[0].Functions[0].ReturnsForkResult = true;
  P.Units[0].Functions[1].ReturnsResultOf = {"c:@F@inner"};
  ProgramLink L(std::move(P));
  EXPECT_TRUE(L.forkWrappers().count("c:@F@outer"));
  auto Fork = L.forkInside("c:@F@outer");
  ASSERT_TRUE(Fork);
  EXPECT_EQ(Fork->Loc.Line, 10u);
}

TEST(ProgramLink, ExitThroughHelpersAndItsLimits) {
  SummaryEvent Conditional = event(SummaryEvent::Exit, "exit", 31);
  Conditional.Unconditional = false;
  SummaryEvent DeepCall = event(SummaryEvent::Call, "deep", 21, "c:@F@deep");
  DeepCall.Unconditional = false;
  ProgramLink L(program({
      function("fatal", {event(SummaryEvent::Call, "die", 10, "c:@F@die")}),
      function("die", {event(SummaryEvent::Exit, "exit", 20)}),
      function("check", {DeepCall}),
      function("deep", {Conditional}),
      function("quiet", {event(SummaryEvent::ImmediateExit, "_exit", 40),
                         event(SummaryEvent::Exit, "exit", 41)}),
  }));
  auto E = L.exitReached("c:@F@fatal", "/p/a.c");
  ASSERT_TRUE(E);
  EXPECT_EQ(E->Op.Loc.Line, 20u);
  ASSERT_EQ(E->Chain.size(), 1u);
  EXPECT_EQ(E->Chain[0].Callee, "die");
  EXPECT_FALSE(L.exitReached("c:@F@check", "/p/a.c"));
  EXPECT_FALSE(L.exitReached("c:@F@quiet", "/p/a.c"));
}

TEST(ProgramLink, NeverReturnsThroughCallsOnEveryPath) {
  FunctionSummary Die = function("die", {event(SummaryEvent::Exit, "exit", 20)});
  Die.NeverReturns = true; // its own unit saw every path end
  SummaryEvent MaybeDie = event(SummaryEvent::Call, "die", 30, "c:@F@die");
  MaybeDie.Unconditional = false;
  FunctionSummary Early = function("early", {event(SummaryEvent::Call, "die", 50, "c:@F@die")});
  Early.HasReturn = true; // `if (ok) return; die();`
  ProgramLink L(program({
      Die,
      function("fatal", {event(SummaryEvent::LibraryCall, "fprintf", 9),
                         event(SummaryEvent::Call, "die", 10, "c:@F@die")}),
      function("usage", {event(SummaryEvent::Call, "fatal", 12, "c:@F@fatal")}),
      function("check", {MaybeDie}),
      function("retry", {event(SummaryEvent::Call, "die", 40, "c:@F@die", /*Loop=*/1)}),
      Early,
      function("self", {event(SummaryEvent::Call, "self", 60, "c:@F@self")}),
  }));
  EXPECT_TRUE(L.neverReturns("c:@F@die", "/p/a.c"));
  EXPECT_TRUE(L.neverReturns("c:@F@fatal", "/p/a.c"));
  EXPECT_TRUE(L.neverReturns("c:@F@usage", "/p/a.c"));
  EXPECT_FALSE(L.neverReturns("c:@F@check", "/p/a.c"));
  EXPECT_FALSE(L.neverReturns("c:@F@retry", "/p/a.c"));
  EXPECT_FALSE(L.neverReturns("c:@F@early", "/p/a.c"));
  EXPECT_FALSE(L.neverReturns("c:@F@self", "/p/a.c"));
  EXPECT_FALSE(L.neverReturns("c:@F@unknown", "/p/a.c"));
}

TEST(ProgramLink, FirstUnsafeFollowsThePolicy) {
  ProgramLink L(program({function("log", {event(SummaryEvent::LibraryCall, "printf", 10)})}));
  auto Unsafe = L.firstUnsafe("c:@F@log", "/p/a.c", [](llvm::StringRef) { return false; }, true);
  ASSERT_TRUE(Unsafe);
  EXPECT_EQ(Unsafe->Description, "calls 'printf', which is not async-signal-safe,");
  EXPECT_FALSE(L.firstUnsafe("c:@F@log", "/p/a.c",
                             [](llvm::StringRef N) { return N == "printf"; }, true));
}

TEST(Summary, JsonRoundTripAndVersion) {
  ProgramSummary P = program({function("main", {event(SummaryEvent::Fork, "fork", 3, "", 2)},
                                       true)});
  P.Units[0].Pointers = {{"c:@F@h", "void (void)"}};
  P.Units[0].Functions[0].NeverReturns = true;
  auto Back = programFromJson(toJson(P));
  ASSERT_TRUE(bool(Back));
  ASSERT_EQ(Back->Units.size(), 1u);
  const FunctionSummary &F = Back->Units[0].Functions[0];
  EXPECT_TRUE(F.IsMain);
  EXPECT_TRUE(F.NeverReturns);
  EXPECT_FALSE(F.HasReturn);
  ASSERT_EQ(F.Events.size(), 1u);
  EXPECT_EQ(F.Events[0].K, SummaryEvent::Fork);
  EXPECT_EQ(F.Events[0].Loop, 2u);
  EXPECT_EQ(Back->Units[0].Pointers[0].Type, "void (void)");
  // The index line: the wrappers' names without parsing the units.
  std::vector<std::string> Names = {"spawn", "redisFork"};
  std::string Indexed = toJson(P, &Names);
  auto Index = forkWrapperIndex(Indexed);
  ASSERT_TRUE(bool(Index));
  ASSERT_TRUE(Index->has_value());
  EXPECT_EQ(**Index, Names);
  auto Whole = programFromJson(Indexed);
  ASSERT_TRUE(bool(Whole));
  EXPECT_EQ(Whole->Units.size(), 1u);
  auto NoIndex = forkWrapperIndex(toJson(P));
  ASSERT_TRUE(bool(NoIndex));
  EXPECT_FALSE(NoIndex->has_value());
  auto OtherFormat = forkWrapperIndex("{\"format\":1,\"fork_wrappers\":[],\n\"units\":[]}");
  EXPECT_FALSE(bool(OtherFormat));
  llvm::consumeError(OtherFormat.takeError());
  auto Old = programFromJson(R"({"format": 0, "units": []})");
  EXPECT_FALSE(bool(Old));
  llvm::consumeError(Old.takeError());
  auto Bad = programFromJson(R"({"format": 2, "units": [{"file": "x"}]})");
  EXPECT_FALSE(bool(Bad));
  llvm::consumeError(Bad.takeError());
}

namespace {
void expectSameUnits(const ProgramSummary &A, const ProgramSummary &B) {
  ASSERT_EQ(A.Units.size(), B.Units.size());
  for (size_t U = 0; U < A.Units.size(); ++U) {
    const UnitSummary &X = A.Units[U], &Y = B.Units[U];
    EXPECT_EQ(X.File, Y.File);
    ASSERT_EQ(X.Pointers.size(), Y.Pointers.size());
    for (size_t I = 0; I < X.Pointers.size(); ++I) {
      EXPECT_EQ(X.Pointers[I].Usr, Y.Pointers[I].Usr);
      EXPECT_EQ(X.Pointers[I].Type, Y.Pointers[I].Type);
    }
    ASSERT_EQ(X.Functions.size(), Y.Functions.size());
    for (size_t I = 0; I < X.Functions.size(); ++I) {
      const FunctionSummary &F = X.Functions[I], &G = Y.Functions[I];
      EXPECT_EQ(F.Usr, G.Usr);
      EXPECT_EQ(F.Name, G.Name);
      EXPECT_EQ(F.Loc.str(), G.Loc.str());
      EXPECT_EQ(F.IsMain, G.IsMain);
      EXPECT_EQ(F.ReturnsForkResult, G.ReturnsForkResult);
      EXPECT_EQ(F.NeverReturns, G.NeverReturns);
      EXPECT_EQ(F.HasReturn, G.HasReturn);
      EXPECT_EQ(F.ReturnsResultOf, G.ReturnsResultOf);
      ASSERT_EQ(F.Events.size(), G.Events.size());
      for (size_t J = 0; J < F.Events.size(); ++J) {
        EXPECT_EQ(F.Events[J].K, G.Events[J].K);
        EXPECT_EQ(F.Events[J].Name, G.Events[J].Name);
        EXPECT_EQ(F.Events[J].Target, G.Events[J].Target);
        EXPECT_EQ(F.Events[J].Loc.str(), G.Events[J].Loc.str());
        EXPECT_EQ(F.Events[J].Loop, G.Events[J].Loop);
        EXPECT_EQ(F.Events[J].Unconditional, G.Events[J].Unconditional);
      }
    }
  }
}
} // namespace

// A summary file's units, one per line, are read without llvm::json's tree when they are as the
// writer makes them, and by llvm::json otherwise (escapes it alone reads, bytes outside ASCII,
// keys in another order): either way, what was written comes back.
TEST(Summary, EveryUnitLineReadsBackAsWritten) {
  ProgramSummary P = program(
      {function("main", {event(SummaryEvent::ThreadStart, "pthread_create", 3, "c:@F@body", 1),
                         event(SummaryEvent::Call, "spawn", 4, "c:@F@spawn")},
                true),
       function("spawn", {event(SummaryEvent::Fork, "fork", 9),
                          event(SummaryEvent::Lock, "&m\"x\\y/z\t", 10)})});
  FunctionSummary &Spawn = P.Units[0].Functions[1];
  Spawn.ReturnsForkResult = Spawn.HasReturn = true;
  Spawn.ReturnsResultOf = {"c:@F@inner", "c:@F@other"};
  Spawn.Loc = {"/p/b.h", 7, 2};
  P.Units[0].Pointers = {{"c:@F@h", "void (int)"}, {"c:@F@k", "int (void)"}};
  UnitSummary Odd; // read by llvm::json: a control character and a non-ASCII name
  Odd.File = "/p/caf\xc3\xa9.c";
  Odd.Functions.push_back(function("odd\x01", {event(SummaryEvent::Exit, "exit", 2)}));
  Odd.Functions.back().NeverReturns = true;
  P.Units.push_back(Odd);
  UnitSummary Empty;
  Empty.File = "/p/empty.c";
  P.Units.push_back(Empty);
  std::vector<std::string> Names = {"spawn"};
  std::string Text = toJson(P, &Names);
  auto Back = programFromJson(Text);
  ASSERT_TRUE(bool(Back)) << llvm::toString(Back.takeError());
  expectSameUnits(P, *Back);

  // A line edited by hand, its keys in another order and with blanks: llvm::json reads it.
  std::string Edited = "{\"format\":2,\"fork_wrappers\":[],\n\"units\":[\n"
                       "{ \"functions\": [{\"usr\": \"c:@F@f\", \"at\": [0, 5, 1], \"name\": \"f\"}],"
                       " \"files\": [\"/p/a.c\"], \"file\": \"/p/a.c\" }\n]}\n";
  auto FromEdited = programFromJson(Edited);
  ASSERT_TRUE(bool(FromEdited)) << llvm::toString(FromEdited.takeError());
  ASSERT_EQ(FromEdited->Units.size(), 1u);
  ASSERT_EQ(FromEdited->Units[0].Functions.size(), 1u);
  EXPECT_EQ(FromEdited->Units[0].Functions[0].Loc.str(), "/p/a.c:5:1");

  // A malformed line gets llvm::json's and readUnit's error, whichever reader met it first.
  std::string Short = "{\"format\":2,\"fork_wrappers\":[],\n\"units\":[\n"
                      "{\"file\":\"/p/a.c\",\"files\":[\"/p/a.c\"],\"functions\":[{\"at\":[0,1,1],"
                      "\"events\":[[7,0,2,3,\"fork\",\"\",0]],\"name\":\"f\",\"usr\":\"c:@F@f\"}]}\n]}\n";
  auto FromShort = programFromJson(Short);
  ASSERT_FALSE(bool(FromShort));
  EXPECT_EQ(llvm::toString(FromShort.takeError()),
            "malformed forksafe summary: an event is not an array of 8 in f");
}
