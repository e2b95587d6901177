"""Checks the SARIF properties GitHub code scanning relies on, then prints a summary."""
import json
import sys

log = json.load(open(sys.argv[1]))
assert log["version"] == "2.1.0", log["version"]
assert "sarif-2.1.0" in log["$schema"]
(run,) = log["runs"]
driver = run["tool"]["driver"]
assert driver["name"] == "forksafe" and driver["version"]
rules = {r["id"]: i for i, r in enumerate(driver["rules"])}
for r in driver["rules"]:
    assert r["shortDescription"]["text"], r["id"]
    assert r["help"]["text"] and r["help"]["markdown"], r["id"]
assert run["columnKind"] == "utf16CodeUnits"
assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
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
