//===--- Summary.cpp - Summaries as JSON, for the cache and digests ----------===//
#include "python/Summary.h"

#include "llvm/Support/JSON.h"

namespace forksafe {
namespace python {

namespace json = llvm::json;

namespace {

json::Value stepJson(const Step &S) {
  return json::Array{S.File, S.Line, S.Column, S.EndLine, S.EndColumn, S.Text};
}

json::Value storyJson(const Story &S) {
  json::Array Out;
  for (const Step &St : S)
    Out.push_back(stepJson(St));
  return Out;
}

json::Value effectJson(const EffectRef &E) {
  if (!E)
    return nullptr;
  return json::Object{{"k", E->Kind}, {"r", E->Returned}, {"n", storyJson(E->Notes)}};
}

json::Value functionJson(const FunctionSummary &S) {
  json::Array Threads, Forks, Handoffs;
  for (const EffectRef &T : S.ExitThreads)
    Threads.push_back(effectJson(T));
  for (const ForkRef &F : S.Forks) {
    json::Array FT;
    for (const EffectRef &T : F->Threads)
      FT.push_back(effectJson(T));
    Forks.push_back(json::Object{{"p", storyJson(F->Path)},
                                 {"at", stepJson(F->At)},
                                 {"d", F->Describe},
                                 {"o", F->OsFork},
                                 {"dl", F->DataLoader},
                                 {"m", F->Method},
                                 {"t", std::move(FT)},
                                 {"c", effectJson(F->Cuda)},
                                 {"cu", F->ChildMayUseCuda},
                                 {"u", effectJson(F->ChildCudaUse)}});
  }
  for (const Handoff &H : S.Handoffs)
    Handoffs.push_back(json::Object{
        {"pos", H.Position}, {"name", H.Name}, {"n", storyJson(H.Notes)}, {"api", H.Api}});
  return json::Object{{"t", std::move(Threads)},     {"c", effectJson(S.Cuda)},
                      {"u", effectJson(S.CudaUse)},  {"m", S.Method},
                      {"s", effectJson(S.SetsMethod)}, {"p", effectJson(S.Starts)},
                      {"f", std::move(Forks)},       {"h", std::move(Handoffs)}};
}

// Reading: any shape that is not what toJson writes makes the whole entry unusable.
struct Reader {
  bool Ok = true;

  std::string str(const json::Value *V) {
    if (V)
      if (auto S = V->getAsString()) // llvm::Optional in LLVM 14, std::optional later
        return S->str();
    Ok = false;
    return "";
  }
  int64_t num(const json::Value *V) {
    if (V)
      if (auto N = V->getAsInteger())
        return *N;
    Ok = false;
    return 0;
  }
  bool flag(const json::Value *V) {
    if (V)
      if (auto B = V->getAsBoolean())
        return *B;
    Ok = false;
    return false;
  }
  Step step(const json::Value *V) {
    Step S;
    const json::Array *A = V ? V->getAsArray() : nullptr;
    if (!A || A->size() != 6) {
      Ok = false;
      return S;
    }
    S.File = str(&(*A)[0]);
    S.Line = num(&(*A)[1]);
    S.Column = num(&(*A)[2]);
    S.EndLine = num(&(*A)[3]);
    S.EndColumn = num(&(*A)[4]);
    S.Text = str(&(*A)[5]);
    return S;
  }
  Story story(const json::Value *V) {
    Story Out;
    const json::Array *A = V ? V->getAsArray() : nullptr;
    if (!A) {
      Ok = false;
      return Out;
    }
    for (const json::Value &S : *A)
      Out.push_back(step(&S));
    return Out;
  }
  EffectRef effect(const json::Value *V) {
    if (!V) {
      Ok = false;
      return nullptr;
    }
    if (V->getAsNull())
      return nullptr;
    const json::Object *O = V->getAsObject();
    if (!O) {
      Ok = false;
      return nullptr;
    }
    auto E = std::make_shared<Effect>();
    E->Kind = num(O->get("k"));
    E->Returned = flag(O->get("r"));
    E->Notes = story(O->get("n"));
    return E;
  }
  const json::Array &array(const json::Value *V) {
    static const json::Array Empty;
    const json::Array *A = V ? V->getAsArray() : nullptr;
    if (!A)
      Ok = false;
    return A ? *A : Empty;
  }
  FunctionSummary function(const json::Value *V) {
    FunctionSummary S;
    const json::Object *O = V ? V->getAsObject() : nullptr;
    if (!O) {
      Ok = false;
      return S;
    }
    for (const json::Value &T : array(O->get("t")))
      S.ExitThreads.push_back(effect(&T));
    S.Cuda = effect(O->get("c"));
    S.CudaUse = effect(O->get("u"));
    S.Method = str(O->get("m"));
    S.SetsMethod = effect(O->get("s"));
    S.Starts = effect(O->get("p"));
    for (const json::Value &FV : array(O->get("f"))) {
      const json::Object *FO = FV.getAsObject();
      if (!FO) {
        Ok = false;
        continue;
      }
      auto F = std::make_shared<ForkEffect>();
      F->Path = story(FO->get("p"));
      F->At = step(FO->get("at"));
      F->Describe = str(FO->get("d"));
      F->OsFork = flag(FO->get("o"));
      F->DataLoader = flag(FO->get("dl"));
      F->Method = str(FO->get("m"));
      for (const json::Value &T : array(FO->get("t")))
        F->Threads.push_back(effect(&T));
      F->Cuda = effect(FO->get("c"));
      F->ChildMayUseCuda = flag(FO->get("cu"));
      F->ChildCudaUse = effect(FO->get("u"));
      S.Forks.push_back(std::move(F));
    }
    for (const json::Value &HV : array(O->get("h"))) {
      const json::Object *HO = HV.getAsObject();
      if (!HO) {
        Ok = false;
        continue;
      }
      Handoff H;
      H.Position = static_cast<int>(num(HO->get("pos")));
      H.Name = str(HO->get("name"));
      H.Notes = story(HO->get("n"));
      H.Api = str(HO->get("api"));
      S.Handoffs.push_back(std::move(H));
    }
    return S;
  }
};

} // namespace

std::string toJson(const ModuleSummary &S) {
  json::Object Functions, Imports;
  for (const auto &F : S.Functions)
    Functions[F.first()] = functionJson(F.second);
  for (const auto &I : S.Imports)
    Imports[I.first()] = I.second;
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  // llvm::json prints an object's keys sorted: the text is stable, fit for a digest.
  OS << json::Value(json::Object{{"import", functionJson(S.Import)},
                                 {"functions", std::move(Functions)},
                                 {"imports", std::move(Imports)}});
  return OS.str();
}

std::optional<ModuleSummary> moduleSummaryFromJson(llvm::StringRef Text) {
  llvm::Expected<json::Value> V = json::parse(Text);
  if (!V) {
    llvm::consumeError(V.takeError());
    return std::nullopt;
  }
  const json::Object *O = V->getAsObject();
  if (!O)
    return std::nullopt;
  Reader R;
  ModuleSummary S;
  S.Import = R.function(O->get("import"));
  const json::Object *Functions = O->getObject("functions");
  const json::Object *Imports = O->getObject("imports");
  if (!Functions || !Imports)
    return std::nullopt;
  for (const auto &F : *Functions)
    S.Functions[F.first.str()] = R.function(&F.second);
  for (const auto &I : *Imports)
    S.Imports[I.first.str()] = R.str(&I.second);
  if (!R.Ok)
    return std::nullopt;
  return S;
}

} // namespace python
} // namespace forksafe
