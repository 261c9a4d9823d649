#!/usr/bin/env python3
"""Agreement between the first labelling pass and an independent second pass over a random
sample: Cohen's kappa for the per-passage decisions (accession, threat, and the accession
negative kind), and F1 between the two passes for the sets (places, members, countries,
organizations, groups), which kappa does not fit. Lists every disagreement.

Usage: agreement.py FIRST.jsonl SECOND.jsonl   (FIRST: records with labels, e.g. dev+test)
"""
import json
import sys
from collections import Counter


def kappa(pairs):
    n = len(pairs)
    agree = sum(1 for a, b in pairs if a == b) / n
    ca = Counter(a for a, _ in pairs)
    cb = Counter(b for _, b in pairs)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return (agree - expected) / (1 - expected) if expected < 1 else 1.0, agree


def f1(sets):
    tp = sum(len(a & b) for a, b in sets)
    na = sum(len(a) for a, _ in sets)
    nb = sum(len(b) for _, b in sets)
    return 2 * tp / (na + nb) if na + nb else 1.0


def main():
    first = {}
    for path in sys.argv[1].split(","):
        for line in open(path, encoding="utf-8"):
            r = json.loads(line)
            first[r["id"]] = r
    second = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
    pairs = [(first[s["id"]], s) for s in second if s["id"] in first]
    print(f"{len(pairs)} passages labelled twice")
    for name, get in [
        ("accession (passage)", lambda r: bool(r["accession"])),
        ("threat (passage)", lambda r: bool(r["threat_places"])),
        ("accession negative kind", lambda r: r["accession_negative"] or "-"),
    ]:
        k, agree = kappa([(get(a), get(b)) for a, b in pairs])
        print(f"| {name} | kappa {k:.2f} | raw agreement {agree:.2f} |")
    for name, get in [
        ("accession (organization, member)", lambda r: {(x["organization"], x["member"]) for x in r["accession"]}),
        ("accession members", lambda r: {x["member"] for x in r["accession"]}),
        ("threat places", lambda r: set(r["threat_places"])),
        ("countries", lambda r: set(r["countries"])),
        ("organizations", lambda r: set(r["organizations"])),
        ("groups", lambda r: set(r["groups"])),
    ]:
        print(f"| {name} | F1 {f1([(get(a), get(b)) for a, b in pairs]):.2f} |")
    if "--list" in sys.argv:
        for a, b in pairs:
            for key in ["accession", "threat_places", "countries"]:
                if key == "accession":
                    x = {(y["organization"], y["member"]) for y in a[key]}
                    y = {(z["organization"], z["member"]) for z in b[key]}
                else:
                    x, y = set(a[key]), set(b[key])
                if x != y:
                    print(f"{a['id']} {key}: first {sorted(x)} second {sorted(y)}")


if __name__ == "__main__":
    main()
