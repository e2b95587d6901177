//===--- Summary.cpp - Summaries to JSON and back --------------------------===//

#include "Summary.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <iterator>

namespace clang::tidy::forksafe {

namespace json = llvm::json;

// Bumped whenever the layout or the meaning of a field changes.
static constexpr int FormatVersion = 2;

static const char *const KindNames[] = {"call",           "indirect-call", "library-call",
                                        "unsafe",         "exit",          "immediate-exit",
                                        "exec",           "fork",          "thread-start",
                                        "gpu-init",       "lock"};

std::string SourcePoint::str() const {
  return File + ":" + std::to_string(Line) + ":" + std::to_string(Column);
}

bool UnitSummary::mayFork(llvm::ArrayRef<std::string> WrapperUsrs) const {
  llvm::StringSet<> Wrappers;
  for (const std::string &W : WrapperUsrs)
    Wrappers.insert(W);
  for (const FunctionSummary &F : Functions)
    for (const SummaryEvent &E : F.Events)
      if (E.K == SummaryEvent::Fork || (E.K == SummaryEvent::Call && Wrappers.count(E.Target)))
        return true;
  return false;
}

static json::Value pointJson(const SourcePoint &P) {
  return json::Array{P.File, P.Line, P.Column};
}

static json::Object unitObject(const UnitSummary &U) {
  json::Array Functions;
  for (const FunctionSummary &F : U.Functions) {
    json::Array Events;
    for (const SummaryEvent &E : F.Events) {
      json::Object O{{"k", KindNames[E.K]}, {"at", pointJson(E.Loc)}};
      if (!E.Name.empty())
        O["n"] = E.Name;
      if (!E.Target.empty())
        O["t"] = E.Target;
      if (E.Loop)
        O["loop"] = E.Loop;
      if (E.Unconditional)
        O["always"] = true;
      Events.push_back(std::move(O));
    }
    json::Object O{{"usr", F.Usr}, {"name", F.Name}, {"at", pointJson(F.Loc)},
                   {"events", std::move(Events)}};
    if (F.IsMain)
      O["main"] = true;
    if (F.ReturnsForkResult)
      O["returns_fork"] = true;
    if (F.NeverReturns)
      O["noreturn"] = true;
    if (F.HasReturn)
      O["has_return"] = true;
    if (!F.ReturnsResultOf.empty()) {
      json::Array R;
      for (const std::string &S : F.ReturnsResultOf)
        R.push_back(S);
      O["returns_result_of"] = std::move(R);
    }
    Functions.push_back(std::move(O));
  }
  json::Array Pointers;
  for (const AddressTaken &A : U.Pointers)
    Pointers.push_back(json::Array{A.Usr, A.Type});
  return json::Object{{"file", U.File},
                      {"functions", std::move(Functions)},
                      {"pointers", std::move(Pointers)}};
}

std::string toJson(const UnitSummary &U) {
  json::Object O = unitObject(U);
  O["format"] = FormatVersion;
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  OS << json::Value(std::move(O));
  return OS.str();
}

std::string toJson(const ProgramSummary &P, const std::vector<std::string> *ForkWrappers) {
  json::Array Units;
  for (const UnitSummary &U : P.Units)
    Units.push_back(unitObject(U));
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  if (!ForkWrappers) {
    OS << json::Value(json::Object{{"format", FormatVersion}, {"units", std::move(Units)}});
    return OS.str();
  }
  json::Array Names;
  for (const std::string &N : *ForkWrappers)
    Names.push_back(N);
  // The index line (no newline inside: the writer escapes them in strings), then the units.
  OS << "{\"format\":" << FormatVersion << ",\"fork_wrappers\":" << json::Value(std::move(Names))
     << ",\n\"units\":" << json::Value(std::move(Units)) << "}";
  return OS.str();
}


namespace {
llvm::Error malformed(const llvm::Twine &What) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "malformed forksafe summary: " + What);
}

bool readPoint(const json::Value *V, SourcePoint &P) {
  const json::Array *A = V ? V->getAsArray() : nullptr;
  if (!A || A->size() != 3)
    return false;
  auto File = (*A)[0].getAsString();
  auto Line = (*A)[1].getAsInteger();
  auto Col = (*A)[2].getAsInteger();
  if (!File || !Line || !Col)
    return false;
  P.File = File->str();
  P.Line = unsigned(*Line);
  P.Column = unsigned(*Col);
  return true;
}

// LLVM 14's Optional has no value_or.
bool boolOr(const json::Object &O, llvm::StringRef Key) {
  auto B = O.getBoolean(Key);
  return B && *B;
}
int64_t intOr(const json::Object &O, llvm::StringRef Key) {
  auto I = O.getInteger(Key);
  return I ? *I : 0;
}

std::string stringOr(const json::Object &O, llvm::StringRef Key) {
  auto S = O.getString(Key);
  return S ? S->str() : std::string();
}

llvm::Expected<UnitSummary> readUnit(const json::Object &O) {
  UnitSummary U;
  U.File = stringOr(O, "file");
  const json::Array *Functions = O.getArray("functions");
  if (U.File.empty() || !Functions)
    return malformed("a unit without 'file' or 'functions'");
  for (const json::Value &FV : *Functions) {
    const json::Object *FO = FV.getAsObject();
    if (!FO)
      return malformed("a function is not an object");
    FunctionSummary F;
    F.Usr = stringOr(*FO, "usr");
    F.Name = stringOr(*FO, "name");
    if (F.Usr.empty() || !readPoint(FO->get("at"), F.Loc))
      return malformed("a function without 'usr' or 'at' in " + U.File);
    F.IsMain = boolOr(*FO, "main");
    F.ReturnsForkResult = boolOr(*FO, "returns_fork");
    F.NeverReturns = boolOr(*FO, "noreturn");
    F.HasReturn = boolOr(*FO, "has_return");
    if (const json::Array *R = FO->getArray("returns_result_of"))
      for (const json::Value &S : *R)
        if (auto Str = S.getAsString())
          F.ReturnsResultOf.push_back(Str->str());
    if (const json::Array *Events = FO->getArray("events")) {
      for (const json::Value &EV : *Events) {
        const json::Object *EO = EV.getAsObject();
        if (!EO)
          return malformed("an event is not an object");
        SummaryEvent E;
        std::string Kind = stringOr(*EO, "k");
        auto It = std::find(std::begin(KindNames), std::end(KindNames), Kind);
        if (It == std::end(KindNames) || !readPoint(EO->get("at"), E.Loc))
          return malformed("an event of unknown kind '" + Kind + "' in " + F.Name);
        E.K = SummaryEvent::Kind(It - std::begin(KindNames));
        E.Name = stringOr(*EO, "n");
        E.Target = stringOr(*EO, "t");
        E.Loop = unsigned(intOr(*EO, "loop"));
        E.Unconditional = boolOr(*EO, "always");
        F.Events.push_back(std::move(E));
      }
    }
    U.Functions.push_back(std::move(F));
  }
  if (const json::Array *Pointers = O.getArray("pointers"))
    for (const json::Value &PV : *Pointers)
      if (const json::Array *A = PV.getAsArray(); A && A->size() == 2) {
        auto Usr = (*A)[0].getAsString();
        auto Type = (*A)[1].getAsString();
        if (Usr && Type)
          U.Pointers.push_back({Usr->str(), Type->str()});
      }
  return U;
}

llvm::Expected<const json::Object *> checkFormat(const json::Value &V) {
  const json::Object *O = V.getAsObject();
  if (!O)
    return malformed("not a JSON object");
  auto Format = O->getInteger("format");
  if (!Format || *Format != FormatVersion)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "forksafe summary of another format version (expected " +
                                       std::to_string(FormatVersion) +
                                       "): write it again with this forksafe's 'summarize'");
  return O;
}
} // namespace

llvm::Expected<UnitSummary> unitFromJson(llvm::StringRef Text) {
  llvm::Expected<json::Value> V = json::parse(Text);
  if (!V)
    return V.takeError();
  auto O = checkFormat(*V);
  if (!O)
    return O.takeError();
  return readUnit(**O);
}

llvm::Expected<ProgramSummary> programFromJson(llvm::StringRef Text) {
  llvm::Expected<json::Value> V = json::parse(Text);
  if (!V)
    return V.takeError();
  auto O = checkFormat(*V);
  if (!O)
    return O.takeError();
  const json::Array *Units = (*O)->getArray("units");
  if (!Units)
    return malformed("no 'units'");
  ProgramSummary P;
  for (const json::Value &UV : *Units) {
    const json::Object *UO = UV.getAsObject();
    if (!UO)
      return malformed("a unit is not an object");
    auto U = readUnit(*UO);
    if (!U)
      return U.takeError();
    P.Units.push_back(std::move(*U));
  }
  return P;
}

llvm::Expected<std::optional<std::vector<std::string>>> forkWrapperIndex(llvm::StringRef Text) {
  llvm::StringRef Line = Text.take_until([](char C) { return C == '\n'; });
  llvm::StringRef Head = "{\"format\":";
  if (Line.size() == Text.size() || Line.substr(0, Head.size()) != Head || Line.back() != ',')
    return std::optional<std::vector<std::string>>();
  auto V = json::parse((Line.drop_back() + "}").str());
  if (!V) {
    llvm::consumeError(V.takeError());
    return std::optional<std::vector<std::string>>();
  }
  const json::Object *O = V->getAsObject();
  if (!O)
    return std::optional<std::vector<std::string>>();
  auto Format = O->getInteger("format");
  if (!Format || *Format != FormatVersion)
    return malformed("forksafe summary of another format version (expected " +
                     std::to_string(FormatVersion) +
                     "): write it again with this forksafe's 'summarize'");
  const json::Array *Names = O->getArray("fork_wrappers");
  if (!Names)
    return std::optional<std::vector<std::string>>();
  std::vector<std::string> Out;
  for (const json::Value &N : *Names)
    if (auto S = N.getAsString())
      Out.push_back(S->str());
  return std::optional<std::vector<std::string>>(std::move(Out));
}

} // namespace clang::tidy::forksafe
