#include "DiagnosticJson.h"

#include "llvm/Support/JSON.h"

namespace forksafe {

namespace json = llvm::json;

namespace {

json::Value loc(const Location &L) { return json::Array{L.File, L.Line, L.Column}; }

bool loc(const json::Value *V, Location &L) {
  const json::Array *A = V ? V->getAsArray() : nullptr;
  if (!A || A->size() != 3)
    return false;
  auto F = (*A)[0].getAsString();
  auto Line = (*A)[1].getAsInteger(), Col = (*A)[2].getAsInteger();
  if (!F || !Line || !Col)
    return false;
  L.File = F->str();
  L.Line = unsigned(*Line);
  L.Column = unsigned(*Col);
  return true;
}

bool str(const json::Object &O, llvm::StringRef Key, std::string &Out) {
  auto S = O.getString(Key);
  if (!S)
    return false;
  Out = S->str();
  return true;
}

bool num(const json::Object &O, llvm::StringRef Key, unsigned &Out) {
  auto N = O.getInteger(Key);
  if (!N || *N < 0)
    return false;
  Out = unsigned(*N);
  return true;
}

bool edit(const json::Value &V, Edit &E) {
  const json::Object *O = V.getAsObject();
  return O && str(*O, "file", E.File) && num(*O, "offset", E.Offset) && num(*O, "length", E.Length) &&
         num(*O, "line", E.Line) && num(*O, "column", E.Column) && num(*O, "end_line", E.EndLine) &&
         num(*O, "end_column", E.EndColumn) && str(*O, "replacement", E.Replacement);
}

bool diagnostic(const json::Value &V, Diagnostic &D) {
  const json::Object *O = V.getAsObject();
  if (!O || !str(*O, "check", D.Check) || !loc(O->get("loc"), D.Loc) || !num(*O, "end_line", D.EndLine) ||
      !num(*O, "end_column", D.EndColumn) || !str(*O, "message", D.Message))
    return false;
  std::string Level;
  if (!str(*O, "level", Level))
    return false;
  D.Level = Level == "error" ? Severity::Error : Severity::Warning;
  const json::Array *Notes = O->getArray("notes");
  if (!Notes)
    return false;
  for (const json::Value &NV : *Notes) {
    const json::Object *NO = NV.getAsObject();
    Note N;
    if (!NO || !loc(NO->get("loc"), N.Loc) || !str(*NO, "message", N.Message))
      return false;
    D.Notes.push_back(std::move(N));
  }
  if (const json::Object *FO = O->getObject("fix")) {
    Fix F;
    std::string Kind;
    const json::Array *Edits = FO->getArray("edits");
    if (!str(*FO, "kind", Kind) || !str(*FO, "description", F.Description) || !Edits)
      return false;
    F.Kind = Kind == "safe" ? Applicability::Safe : Applicability::Unsafe;
    for (const json::Value &EV : *Edits) {
      Edit E;
      if (!edit(EV, E))
        return false;
      F.Edits.push_back(std::move(E));
    }
    D.FixIt = std::move(F);
  }
  return true;
}

} // namespace

std::string diagnosticsToJson(const std::vector<Diagnostic> &Diags, const std::vector<InputError> &Errors) {
  json::Array Ds, Es;
  for (const Diagnostic &D : Diags) {
    json::Array Notes;
    for (const Note &N : D.Notes)
      Notes.push_back(json::Object{{"loc", loc(N.Loc)}, {"message", N.Message}});
    json::Object O{{"check", D.Check},
                   {"level", D.Level == Severity::Error ? "error" : "warning"},
                   {"loc", loc(D.Loc)},
                   {"end_line", D.EndLine},
                   {"end_column", D.EndColumn},
                   {"message", D.Message},
                   {"notes", std::move(Notes)}};
    if (D.FixIt) {
      json::Array Edits;
      for (const Edit &E : D.FixIt->Edits)
        Edits.push_back(json::Object{{"file", E.File},
                                     {"offset", E.Offset},
                                     {"length", E.Length},
                                     {"line", E.Line},
                                     {"column", E.Column},
                                     {"end_line", E.EndLine},
                                     {"end_column", E.EndColumn},
                                     {"replacement", E.Replacement}});
      O["fix"] = json::Object{{"kind", D.FixIt->Kind == Applicability::Safe ? "safe" : "unsafe"},
                              {"description", D.FixIt->Description},
                              {"edits", std::move(Edits)}};
    }
    Ds.push_back(std::move(O));
  }
  for (const InputError &E : Errors)
    Es.push_back(json::Object{{"file", E.File}, {"message", E.Message}});
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  OS << json::Value(json::Object{{"diagnostics", std::move(Ds)}, {"errors", std::move(Es)}});
  OS.flush();
  return Out;
}

bool diagnosticsFromJson(llvm::StringRef Text, std::vector<Diagnostic> &Diags, std::vector<InputError> &Errors) {
  auto V = json::parse(Text);
  if (!V) {
    llvm::consumeError(V.takeError());
    return false;
  }
  const json::Object *O = V->getAsObject();
  const json::Array *Ds = O ? O->getArray("diagnostics") : nullptr;
  const json::Array *Es = O ? O->getArray("errors") : nullptr;
  if (!Ds || !Es)
    return false;
  std::vector<Diagnostic> NewDiags;
  std::vector<InputError> NewErrors;
  for (const json::Value &DV : *Ds) {
    Diagnostic D;
    if (!diagnostic(DV, D))
      return false;
    NewDiags.push_back(std::move(D));
  }
  for (const json::Value &EV : *Es) {
    const json::Object *EO = EV.getAsObject();
    InputError E;
    if (!EO || !str(*EO, "file", E.File) || !str(*EO, "message", E.Message))
      return false;
    NewErrors.push_back(std::move(E));
  }
  std::move(NewDiags.begin(), NewDiags.end(), std::back_inserter(Diags));
  std::move(NewErrors.begin(), NewErrors.end(), std::back_inserter(Errors));
  return true;
}

} // namespace forksafe
