#!/usr/bin/env python3
"""Joins drawn passages with their labels into tests/eval/{dev,test}.jsonl.

The split is decided once per passage by a hash of its id (half dev, half test), so it never
depends on labels or on what commwatch does, and adding passages later never moves an existing
one. Each record keeps its split in a `split` field.

Usage: assemble.py OUT_DIR [--rules RULES.jsonl] PASSAGES_AND_LABELS...  (pairs
batch-N.jsonl:labels-N.jsonl, or a single file that already holds text and labels). RULES.jsonl
holds {"id", "rules": {rule id: bool}} for the passages labelled for the default rule pack; the
others carry no `rules` field (not scored for those rules).
"""
import hashlib
import json
import sys

LABEL_KEYS = ["accession", "accession_negative", "threat_places", "threat_groups", "countries",
              "organizations", "groups", "note"]
ORDER = ["id", "split", "source", "license", "title", "text"] + LABEL_KEYS + ["rules"]


def split_of(id_):
    return "dev" if int(hashlib.sha256(id_.encode()).hexdigest(), 16) % 2 == 0 else "test"


def main():
    out_dir = sys.argv[1]
    args = sys.argv[2:]
    rules = {}
    if args and args[0] == "--rules":
        rules = {json.loads(l)["id"]: json.loads(l)["rules"] for l in open(args[1], encoding="utf-8")}
        args = args[2:]
    records = []
    for arg in args:
        if ":" in arg:
            passages, labels = arg.split(":")
            by_id = {json.loads(l)["id"]: json.loads(l) for l in open(labels, encoding="utf-8")}
            for line in open(passages, encoding="utf-8"):
                rec = json.loads(line)
                rec.update({k: by_id[rec["id"]][k] for k in LABEL_KEYS})
                records.append(rec)
        else:
            records += [json.loads(l) for l in open(arg, encoding="utf-8") if l.strip()]
    seen = set()
    out = {"dev": [], "test": []}
    for rec in records:
        if rec["id"] in seen or rec["text"] in seen:
            continue
        seen.update([rec["id"], rec["text"]])
        rec["split"] = split_of(rec["id"])
        if rec["id"] in rules:
            rec["rules"] = rules[rec["id"]]
        out[rec["split"]].append({k: rec[k] for k in ORDER if k in rec})
    for split, recs in out.items():
        with open(f"{out_dir}/{split}.jsonl", "w", encoding="utf-8") as f:
            for r in sorted(recs, key=lambda r: r["id"]):
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        acc = sum(1 for r in recs if r["accession"])
        thr = sum(1 for r in recs if r["threat_places"])
        neg = sum(1 for r in recs if r["accession_negative"])
        print(f"{split}: {len(recs)} passages, accession +{acc} / hard negatives {neg}, threat +{thr}")


if __name__ == "__main__":
    main()
