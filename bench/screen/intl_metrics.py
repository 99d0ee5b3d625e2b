#!/usr/bin/env python3
"""Precision, recall and F1 per kind on the international development set
(tests/screen/intl_dev.tsv) scored by `puente compare --csv` (name1, name2,
schema, kind, label, score, match). Each kind has its own positives and
negatives, so the figures of a kind are computed within it. Markdown to
stdout.

Usage: intl_metrics.py SCORED.csv THRESHOLD [--floor KIND:F ...] [--errors]
  --floor cjk_syllable:0.9   exit 1 when the kind's F1 (or `all`) is below F
  --errors                   print the misjudged pairs to stderr"""
import sys
from collections import defaultdict

from metrics import load, prf


def main():
    rows = load(sys.argv[1])
    thr = float(sys.argv[2])
    floors = {}
    args = sys.argv[3:]
    for i, a in enumerate(args):
        if a == "--floor":
            k, f = args[i + 1].rsplit(":", 1)
            floors[k] = float(f)
    kinds = defaultdict(list)
    for r in rows:
        kinds[r["kind"]].append(r)
    kinds["all"] = rows
    print(f"| kind (threshold {thr:.2f}) | pairs | precision | recall | F1 | TP / FP / FN |")
    print("|---|---|---|---|---|---|")
    bad = []
    for k in sorted(kinds, key=lambda k: (k == "all", k)):
        p, rc, f, tp, fp, fn = prf(kinds[k], thr)
        print(f"| {k} | {len(kinds[k])} | {p:.3f} | {rc:.3f} | {f:.3f} | {tp} / {fp} / {fn} |")
        if k in floors and f < floors[k]:
            bad.append(f"{k}: F1 {f:.3f} < {floors[k]}")
    for k in floors:
        if k not in kinds:
            bad.append(f"{k}: no such kind")
    if "--errors" in args:
        for r in rows:
            if (r["label"] == "1") != (float(r["score"]) >= thr):
                print(f"ERR {r['kind']} label {r['label']}: {r['name1']!r} vs {r['name2']!r} -> {r['score']}",
                      file=sys.stderr)
    for b in bad:
        print("FLOOR " + b, file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
