"""Checks the SARIF properties GitHub code scanning relies on, then prints a summary."""
import json
import os
import sys

log = json.load(open(sys.argv[1]))
docs = sys.argv[sys.argv.index("--docs") + 1] if "--docs" in sys.argv else None
assert log["version"] == "2.1.0", log["version"]
assert "sarif-2.1.0" in log["$schema"]
(run,) = log["runs"]
driver = run["tool"]["driver"]
assert driver["name"] == "forksafe" and driver["version"]
rules = {r["id"]: i for i, r in enumerate(driver["rules"])}
for r in driver["rules"]:
    assert r["shortDescription"]["text"], r["id"]
    assert r["help"]["text"] and r["help"]["markdown"], r["id"]
    # A person's name for the rule, not the id; links that work outside the repository.
    assert r["name"] != r["id"] and r["name"][0].isupper() and "-" not in r["name"], r["name"]
    assert "](forksafe-" not in r["help"]["markdown"], r["id"]
    if docs:
        assert r["helpUri"].startswith(docs), r["helpUri"]
assert run["columnKind"] == "utf16CodeUnits"
srcroot = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
assert srcroot.startswith("file:///") and srcroot.endswith("/"), srcroot
assert srcroot == "file://" + os.getcwd() + "/", (srcroot, os.getcwd())
results = run["results"]
fingerprints = set()
for res in results:
    assert rules[res["ruleId"]] == res["ruleIndex"]
    assert res["level"] == "warning" and res["message"]["text"]
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
    fp = res["partialFingerprints"]["forksafeFingerprint/v1"]
    assert fp not in fingerprints
    fingerprints.add(fp)
first = results[0]
loc = first["locations"][0]["physicalLocation"]
print("ok: %d results, rule %s, uri %s, line %d col %d" % (
    len(results), first["ruleId"], loc["artifactLocation"]["uri"],
    loc["region"]["startLine"], loc["region"]["startColumn"]))
print("srcroot %s" % srcroot)
by_id = {r["id"]: r for r in driver["rules"]}
if "forksafe-preexec-fn" in by_id:
    r = by_id["forksafe-preexec-fn"]
    print("rule %s: name %s, helpUri %s" % (r["id"], r["name"], r.get("helpUri")))
print("informationUri %s" % driver.get("informationUri"))
