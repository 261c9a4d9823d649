#!/usr/bin/env python3
"""Draws the candidate passages that were labelled into tests/eval/ (run once, before labelling).

Passages are paragraphs of the shared corpus (../shared/corpus/communiques/communiques.jsonl):
White House Briefing Room releases (public domain, 17 U.S.C. 105) and UN General Debate
statements. Three pools, drawn with a fixed seed so the draw can be repeated:

- accession-like: paragraphs with a membership word (join, accession, admission, member, Ally,
  partner, "expanded to include"), every paragraph with a strong accession phrasing first;
- threat-like: paragraphs naming an armed group, terrorism or militants, kidnapping or attacks;
- other: paragraphs drawn at random from the rest, as general negatives.

The pools select by keywords only; the labels come from reading each passage against
docs/labelling.md, never from commwatch's output. Near-identical paragraphs (the corpus repeats
boilerplate across releases) are drawn once.

Usage: candidates.py CORPUS.jsonl OUT_DIR [--batches N] [--extra]
"""
import hashlib
import json
import random
import re
import sys

ACCESSION = re.compile(
    r"\b(join(s|ed|ing)?|accession|admi(tted|ssion)|new(est)?\s+(members?|all(y|ies)|partners?)"
    r"|\d+(st|nd|rd|th)\s+(member|ally)|member\s+state|membership|became\s+(a|an|the)\s+"
    r"|expanded\s+to\s+include|welcom\w+\s+\w+(\s+\w+)?\s+as\s+(a|an|the|our))",
    re.I,
)
STRONG_ACCESSION = re.compile(
    r"\b(ha(s|ve)\s+joined|joined\s+(the|NATO)|newest\s+(member|ally|allies)|new\s+(members?|allies)"
    r"|\d+(st|nd|rd|th)\s+(member|ally)|(twenty|thirty|forty)[-\s]\w+\s+(member|ally)|admitted"
    r"|admission\s+of|accession\s+(of|to)|bec(a|o)me\s+(a|an|the)\s+(\w+\s+)?(member|ally|partner)"
    r"|expanded\s+to\s+include|as\s+(a|an|the|our)\s+(full|permanent|new|newest)\s+(member|ally|partner))",
    re.I,
)
THREAT = re.compile(
    r"terror|ISIS|ISIL|Daesh|Shabaab|Qa.?ida|Qaeda|Boko\s+Haram|militant|insurgen|jihad|extremis"
    r"|armed\s+group|hostage|kidnap|Houthi|Hamas|Hizballah|Hezbollah|JNIM|Taliban|ISWAP|militia"
    r"|attack",
    re.I,
)


def paragraphs(body):
    for p in re.split(r"\n[ \t]*\n", body):
        p = p.strip()
        if 120 <= len(p) <= 2200 and not p.startswith("|"):
            yield p


def key(p):
    return hashlib.sha1(re.sub(r"\W+", " ", p.lower()).encode()).hexdigest()


def main():
    corpus, out_dir = sys.argv[1], sys.argv[2]
    batches = int(sys.argv[sys.argv.index("--batches") + 1]) if "--batches" in sys.argv else 5
    rng = random.Random(20261207)
    seen = set()
    strong, accession, threat, other = [], [], [], []
    for line in open(corpus, encoding="utf-8"):
        doc = json.loads(line)
        for n, p in enumerate(paragraphs(doc["body"])):
            k = key(p)
            if k in seen:
                continue
            seen.add(k)
            rec = {
                "id": f"{doc['id']}#{n}",
                "source": f"{doc['source']}; “{doc['title']}”, {doc['date']}"
                + (f", {doc['url']}" if doc.get("url") else ""),
                "license": "public domain (US federal government work, 17 U.S.C. §105)"
                if doc["id"].startswith("wh-")
                else "UN General Debate Corpus (UNGDC), CC0 1.0 (doi:10.7910/DVN/0TJX8Y); an official UN verbatim record",
                "title": doc["title"],
                "text": p,
            }
            if STRONG_ACCESSION.search(p):
                strong.append(rec)
            elif ACCESSION.search(p):
                accession.append(rec)
            elif THREAT.search(p):
                threat.append(rec)
            else:
                other.append(rec)
    # A threat-like paragraph may also be accession-like: it stays in the accession pool.
    threat += [r for r in accession if THREAT.search(r["text"])]
    rng.shuffle(strong)
    rng.shuffle(accession)
    rng.shuffle(threat)
    rng.shuffle(other)
    picked = strong[:170] + accession[:200] + threat[:330] + other[:60]
    picked = list({r["id"]: r for r in picked}.values())
    rng.shuffle(picked)
    for b in range(batches):
        with open(f"{out_dir}/batch-{b + 1}.jsonl", "w", encoding="utf-8") as f:
            for r in picked[b::batches]:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    # A second draw, made after the first labelling pass found too few threat positives: the
    # next 160 paragraphs of the shuffled threat-like pool.
    if "--extra" in sys.argv:
        ids = {r["id"] for r in picked}
        extra = [r for r in threat[330:490] if r["id"] not in ids]
        with open(f"{out_dir}/batch-{batches + 1}.jsonl", "w", encoding="utf-8") as f:
            for r in extra:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"strong {len(strong)} accession {len(accession)} threat {len(threat)} other {len(other)}; picked {len(picked)}")


if __name__ == "__main__":
    main()
