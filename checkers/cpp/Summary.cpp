//===--- Summary.cpp - Summaries to JSON and back --------------------------===//

#include "Summary.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <iterator>

namespace clang::tidy::forksafe {

namespace json = llvm::json;

// Bumped whenever the layout or the meaning of a field changes.
static constexpr int FormatVersion = 2;

// Events are written with their Kind's number (SummaryEvent::Kind, in its order): a change of
// that enum is a change of the format.

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

namespace {
/// The unit's files (its main file, headers holding its functions), each written once: points
/// are [file index, line, column].
class FileTable {
public:
  json::Value point(const SourcePoint &P) {
    auto It = Index.try_emplace(P.File, unsigned(Files.size()));
    if (It.second)
      Files.push_back(P.File);
    return json::Array{It.first->second, P.Line, P.Column};
  }
  json::Array take() {
    json::Array A;
    for (std::string &F : Files)
      A.push_back(std::move(F));
    return A;
  }

private:
  llvm::StringMap<unsigned> Index;
  std::vector<std::string> Files;
};
} // namespace

static json::Object unitObject(const UnitSummary &U) {
  FileTable Table;
  json::Array Functions;
  for (const FunctionSummary &F : U.Functions) {
    json::Array Events;
    // An event is an array (objects cost a map each to read): [kind, file, line, column,
    // name, target, loop, unconditional].
    for (const SummaryEvent &E : F.Events) {
      json::Array At = std::move(*Table.point(E.Loc).getAsArray());
      Events.push_back(json::Array{int(E.K), std::move(At[0]), std::move(At[1]), std::move(At[2]),
                                   E.Name, E.Target, E.Loop, E.Unconditional ? 1 : 0});
    }
    json::Object O{{"usr", F.Usr}, {"name", F.Name}, {"at", Table.point(F.Loc)},
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
                      {"files", Table.take()},
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
  // The index line, then one unit per line (the writer escapes newlines in strings): still one
  // JSON document, read a line at a time (programFromJson), which spares llvm::json's parser
  // from copying every unit's tree each time its array of units grows.
  OS << "{\"format\":" << FormatVersion << ",\"fork_wrappers\":" << json::Value(std::move(Names))
     << ",\n\"units\":[";
  for (size_t I = 0; I < Units.size(); ++I)
    OS << (I ? ",\n" : "\n") << Units[I];
  OS << "\n]}\n";
  return OS.str();
}


namespace {
llvm::Error malformed(const llvm::Twine &What) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "malformed forksafe summary: " + What);
}

/// [file index, line, column] from Values[At...] against the unit's Files.
bool readPoint(const json::Array &Values, size_t At, const std::vector<std::string> &Files,
               SourcePoint &P) {
  if (Values.size() < At + 3)
    return false;
  auto File = Values[At].getAsInteger();
  auto Line = Values[At + 1].getAsInteger();
  auto Col = Values[At + 2].getAsInteger();
  if (!File || !Line || !Col || *File < 0 || size_t(*File) >= Files.size())
    return false;
  P.File = Files[size_t(*File)];
  P.Line = unsigned(*Line);
  P.Column = unsigned(*Col);
  return true;
}
bool readPoint(const json::Value *V, const std::vector<std::string> &Files, SourcePoint &P) {
  const json::Array *A = V ? V->getAsArray() : nullptr;
  return A && A->size() == 3 && readPoint(*A, 0, Files, P);
}

// LLVM 14's Optional has no value_or.
bool boolOr(const json::Object &O, llvm::StringRef Key) {
  auto B = O.getBoolean(Key);
  return B && *B;
}

std::string stringOr(const json::Object &O, llvm::StringRef Key) {
  auto S = O.getString(Key);
  return S ? S->str() : std::string();
}

llvm::Expected<UnitSummary> readUnit(const json::Object &O) {
  UnitSummary U;
  U.File = stringOr(O, "file");
  const json::Array *Functions = O.getArray("functions");
  const json::Array *FileList = O.getArray("files");
  if (U.File.empty() || !Functions || !FileList)
    return malformed("a unit without 'file', 'files' or 'functions'");
  std::vector<std::string> Files;
  for (const json::Value &FV : *FileList) {
    auto Name = FV.getAsString();
    if (!Name)
      return malformed("a file name is not a string in " + U.File);
    Files.push_back(Name->str());
  }
  for (const json::Value &FV : *Functions) {
    const json::Object *FO = FV.getAsObject();
    if (!FO)
      return malformed("a function is not an object");
    FunctionSummary F;
    F.Usr = stringOr(*FO, "usr");
    F.Name = stringOr(*FO, "name");
    if (F.Usr.empty() || !readPoint(FO->get("at"), Files, F.Loc))
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
        const json::Array *EA = EV.getAsArray();
        if (!EA || EA->size() != 8)
          return malformed("an event is not an array of 8 in " + F.Name);
        const json::Array &A = *EA;
        SummaryEvent E;
        auto Kind = A[0].getAsInteger();
        auto Name = A[4].getAsString();
        auto Target = A[5].getAsString();
        auto Loop = A[6].getAsInteger();
        auto Always = A[7].getAsInteger();
        if (!Kind || *Kind < 0 || *Kind > SummaryEvent::Lock || !Name || !Target || !Loop ||
            !Always || !readPoint(A, 1, Files, E.Loc))
          return malformed("a malformed event in " + F.Name);
        E.K = SummaryEvent::Kind(*Kind);
        E.Name = Name->str();
        E.Target = Target->str();
        E.Loop = unsigned(*Loop);
        E.Unconditional = *Always != 0;
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

/// An error unless O says it is of this format version.
llvm::Error checkFormatVersion(const json::Object &O) {
  auto Format = O.getInteger("format");
  if (!Format || *Format != FormatVersion)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "forksafe summary of another format version (expected " +
                                       std::to_string(FormatVersion) +
                                       "): write it again with this forksafe's 'summarize'");
  return llvm::Error::success();
}

/// Text parsed as JSON: an object of this format version.
llvm::Expected<json::Value> parseSummaryJson(llvm::StringRef Text) {
  llvm::Expected<json::Value> V = json::parse(Text);
  if (!V)
    return V.takeError();
  const json::Object *O = V->getAsObject();
  if (!O)
    return malformed("not a JSON object");
  if (llvm::Error E = checkFormatVersion(*O))
    return E;
  return V;
}
} // namespace

namespace {
/// Reads one unit's line as unitObject and toJson(ProgramSummary) write it, straight into a
/// UnitSummary: llvm::json's parser builds a tree of the whole line and copies every function's
/// subtree each time the array of functions grows (a summary file of redis's 140 units took 460
/// M instructions, about 0.1 s, to read in every clang-tidy process that met a fork).
/// It gives up (std::nullopt) on anything the writer does not make: keys out of its order, an
/// unknown or repeated key, a \u escape, a byte outside ASCII, a number that is not a plain
/// integer, a value of another type, a shape readUnit would reject or skip. Such a line is read
/// by llvm::json and readUnit, whose answer (a unit or the error) is the reference.
class UnitReader {
public:
  explicit UnitReader(llvm::StringRef Text) : T(Text) {}

  std::optional<UnitSummary> read() {
    UnitSummary U;
    std::vector<std::string> Files;
    bool HasFiles = false, HasFunctions = false;
    bool Ok = object({"file", "files", "functions", "pointers"}, [&](unsigned K) {
      switch (K) {
      case 0:
        return string(U.File) && !U.File.empty();
      case 1:
        HasFiles = true;
        return array([&] {
          Files.emplace_back();
          return string(Files.back());
        });
      case 2:
        HasFunctions = true;
        return HasFiles && array([&] { return function(Files, U); });
      default:
        return array([&] {
          AddressTaken A;
          bool Read = eat('[') && string(A.Usr) && eat(',') && string(A.Type) && eat(']');
          U.Pointers.push_back(std::move(A));
          return Read;
        });
      }
    });
    skipBlanks();
    if (!Ok || I != T.size() || U.File.empty() || !HasFunctions)
      return std::nullopt;
    return U;
  }

private:
  llvm::StringRef T;
  size_t I = 0;

  void skipBlanks() {
    while (I < T.size() && (T[I] == ' ' || T[I] == '\t' || T[I] == '\n' || T[I] == '\r'))
      ++I;
  }
  bool eat(char C) {
    skipBlanks();
    if (I >= T.size() || T[I] != C)
      return false;
    ++I;
    return true;
  }
  bool string(std::string &Out) {
    if (!eat('"'))
      return false;
    Out.clear();
    size_t Run = I;
    while (I < T.size()) {
      unsigned char C = T[I];
      if (C == '"') {
        Out.append(T.data() + Run, I - Run);
        ++I;
        return true;
      }
      if (C < 0x20 || C >= 0x80)
        return false;
      if (C != '\\') {
        ++I;
        continue;
      }
      Out.append(T.data() + Run, I - Run);
      if (I + 1 >= T.size())
        return false;
      char E = T[I + 1];
      switch (E) {
      case '"': case '\\': case '/': Out += E; break;
      case 'b': Out += '\b'; break;
      case 'f': Out += '\f'; break;
      case 'n': Out += '\n'; break;
      case 'r': Out += '\r'; break;
      case 't': Out += '\t'; break;
      default: return false; // \u: left to llvm::json
      }
      I += 2;
      Run = I;
    }
    return false;
  }
  bool integer(int64_t &Out) {
    skipBlanks();
    bool Negative = I < T.size() && T[I] == '-';
    if (Negative)
      ++I;
    size_t Digits = I;
    int64_t V = 0;
    while (I < T.size() && T[I] >= '0' && T[I] <= '9')
      V = V * 10 + (T[I++] - '0');
    size_t N = I - Digits;
    if (N == 0 || N > 18 || (N > 1 && T[Digits] == '0'))
      return false;
    if (I < T.size() && (T[I] == '.' || T[I] == 'e' || T[I] == 'E'))
      return false;
    Out = Negative ? -V : V;
    return true;
  }
  bool boolean(bool &Out) {
    skipBlanks();
    if (T.substr(I, 4) == "true") {
      I += 4;
      return Out = true, true;
    }
    if (T.substr(I, 5) == "false") {
      I += 5;
      return Out = false, true;
    }
    return false;
  }
  /// Each element read by Element, which reads one value.
  template <typename Fn> bool array(Fn Element) {
    if (!eat('['))
      return false;
    if (eat(']'))
      return true;
    do {
      if (!Element())
        return false;
    } while (eat(','));
    return eat(']');
  }
  /// The keys of Keys, each at most once and in that order (as the writer sorts them); Value(K)
  /// reads the value of Keys[K].
  template <typename Fn> bool object(std::initializer_list<llvm::StringRef> Keys, Fn Value) {
    if (!eat('{'))
      return false;
    if (eat('}'))
      return true;
    size_t Next = 0;
    std::string Key;
    do {
      if (!string(Key) || !eat(':'))
        return false;
      size_t K = Next;
      while (K < Keys.size() && Keys.begin()[K] != Key)
        ++K;
      if (K == Keys.size() || !Value(unsigned(K)))
        return false;
      Next = K + 1;
    } while (eat(','));
    return eat('}');
  }
  /// A point's three integers, the file an index of Files (readPoint).
  bool point(const std::vector<std::string> &Files, SourcePoint &P) {
    int64_t File, Line, Column;
    if (!integer(File) || !eat(',') || !integer(Line) || !eat(',') || !integer(Column) ||
        File < 0 || size_t(File) >= Files.size())
      return false;
    P.File = Files[size_t(File)];
    P.Line = unsigned(Line);
    P.Column = unsigned(Column);
    return true;
  }
  bool function(const std::vector<std::string> &Files, UnitSummary &U) {
    FunctionSummary F;
    bool HasAt = false;
    bool Ok = object({"at", "events", "has_return", "main", "name", "noreturn", "returns_fork",
                      "returns_result_of", "usr"},
                     [&](unsigned K) {
                       switch (K) {
                       case 0:
                         HasAt = true;
                         return eat('[') && point(Files, F.Loc) && eat(']');
                       case 1:
                         return array([&] { return event(Files, F); });
                       case 2:
                         return boolean(F.HasReturn);
                       case 3:
                         return boolean(F.IsMain);
                       case 4:
                         return string(F.Name);
                       case 5:
                         return boolean(F.NeverReturns);
                       case 6:
                         return boolean(F.ReturnsForkResult);
                       case 7:
                         return array([&] {
                           F.ReturnsResultOf.emplace_back();
                           return string(F.ReturnsResultOf.back());
                         });
                       default:
                         return string(F.Usr);
                       }
                     });
    if (!Ok || !HasAt || F.Usr.empty())
      return false;
    U.Functions.push_back(std::move(F));
    return true;
  }
  /// [kind, file, line, column, name, target, loop, unconditional]
  bool event(const std::vector<std::string> &Files, FunctionSummary &F) {
    SummaryEvent E;
    int64_t Kind, Loop, Always;
    if (!eat('[') || !integer(Kind) || Kind < 0 || Kind > SummaryEvent::Lock || !eat(',') ||
        !point(Files, E.Loc) || !eat(',') || !string(E.Name) || !eat(',') ||
        !string(E.Target) || !eat(',') || !integer(Loop) || !eat(',') || !integer(Always) ||
        !eat(']'))
      return false;
    E.K = SummaryEvent::Kind(Kind);
    E.Loop = unsigned(Loop);
    E.Unconditional = Always != 0;
    F.Events.push_back(std::move(E));
    return true;
  }
};
} // namespace

llvm::Expected<UnitSummary> unitFromJson(llvm::StringRef Text) {
  llvm::Expected<json::Value> V = parseSummaryJson(Text);
  if (!V)
    return V.takeError();
  return readUnit(*V->getAsObject());
}

llvm::Expected<ProgramSummary> programFromJson(llvm::StringRef Text) {
  ProgramSummary P;
  auto AddUnit = [&](const json::Value &UV) -> llvm::Error {
    const json::Object *UO = UV.getAsObject();
    if (!UO)
      return malformed("a unit is not an object");
    auto U = readUnit(*UO);
    if (!U)
      return U.takeError();
    P.Units.push_back(std::move(*U));
    return llvm::Error::success();
  };
  // With the index line (toJson with the fork wrappers): one unit per line.
  auto Index = forkWrapperIndex(Text);
  if (!Index)
    return Index.takeError();
  if (Index->has_value()) {
    llvm::StringRef Rest = Text.drop_until([](char C) { return C == '\n'; });
    while (!Rest.empty()) {
      Rest = Rest.drop_front(); // the newline
      llvm::StringRef Line = Rest.take_until([](char C) { return C == '\n'; });
      Rest = Rest.drop_front(Line.size());
      Line = Line.rtrim();
      if (Line.empty() || Line.front() != '{')
        continue; // "units":[ and ]}
      if (Line.back() == ',')
        Line = Line.drop_back();
      if (std::optional<UnitSummary> U = UnitReader(Line).read()) {
        P.Units.push_back(std::move(*U));
        continue;
      }
      llvm::Expected<json::Value> V = json::parse(Line);
      if (!V)
        return V.takeError();
      if (llvm::Error E = AddUnit(*V))
        return E;
    }
    return P;
  }
  llvm::Expected<json::Value> V = parseSummaryJson(Text);
  if (!V)
    return V.takeError();
  const json::Array *Units = V->getAsObject()->getArray("units");
  if (!Units)
    return malformed("no 'units'");
  for (const json::Value &UV : *Units)
    if (llvm::Error E = AddUnit(UV))
      return E;
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
  if (llvm::Error E = checkFormatVersion(*O))
    return E;
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
