#!/usr/bin/env python3
"""Alert volume per rule and a random sample of alerts to judge, from a run over a corpus.

Input: the JSONL that `commwatch run examples/pipelines/filter.toml` writes (one event per line,
with its alerts), run over the shared corpus (../shared/corpus/communiques/communiques.jsonl,
fed as {"id","title","text"} lines).

  corpus_alerts.py volume EVENTS.jsonl            # alerts and communiqués per rule, per 1,000
  corpus_alerts.py sample EVENTS.jsonl RULE N SEED > sample.jsonl
                                                  # N alerts of RULE drawn at random, each with
                                                  # its evidence and the sentences around it

The sample is drawn from the alerts, not from what anyone expects of them; each record is then
judged by reading it against docs/labelling.md (`judgement`: correct / wrong, `why`).
"""
import json
import random
import sys
from collections import Counter


def events(path):
    for line in open(path, encoding="utf-8"):
        yield json.loads(line)


def volume(path):
    alerts, docs, n = Counter(), Counter(), 0
    for e in events(path):
        n += 1
        rules = [a["rule"] for a in e.get("alerts", [])]
        alerts.update(rules)
        docs.update(set(rules))
    print(f"{n} communiqués")
    print("| rule | alerts | communiqués | alerts per 1,000 communiqués |")
    print("| --- | ---: | ---: | ---: |")
    for rule in sorted(alerts):
        print(f"| `{rule}` | {alerts[rule]} | {docs[rule]} | {1000 * alerts[rule] / n:.1f} |")


def context(raw, sentences, start, end):
    """The sentences holding [start, end), with the one before (offsets are UTF-8 bytes)."""
    inside = [i for i, (s0, s1) in enumerate(sentences) if s0 < end and s1 > start]
    if not inside:
        return raw[max(0, start - 300):end + 300].decode("utf-8", "replace")
    first = max(0, inside[0] - 1)
    return raw[sentences[first][0]:sentences[inside[-1]][1]].decode("utf-8", "replace")


def sample(path, rule, n, seed):
    found = []
    for e in events(path):
        for a in e.get("alerts", []):
            if a["rule"] == rule:
                found.append((e, a))
    rng = random.Random(seed)
    for e, a in rng.sample(found, min(n, len(found))):
        raw = e["raw"].encode("utf-8")
        ev = a.get("evidence", [])
        start = min((x["start"] for x in ev), default=0)
        end = max((x["end"] for x in ev), default=0)
        labels = a["labels"] if isinstance(a["labels"], dict) else dict(a["labels"])
        print(json.dumps({
            "communique": e["id"],
            "title": e.get("title"),
            "rule": rule,
            "summary": a["summary"],
            "labels": labels,
            "evidence": [raw[x["start"]:x["end"]].decode("utf-8", "replace") for x in ev],
            "context": " ".join(context(raw, e.get("sentences", []), start, end).split()),
            "judgement": None,
            "why": None,
        }, ensure_ascii=False))


def main():
    if sys.argv[1] == "volume":
        volume(sys.argv[2])
    else:
        sample(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))


if __name__ == "__main__":
    main()
