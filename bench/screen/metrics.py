#!/usr/bin/env python3
"""P/R/F1 of `puente compare --csv` output over the labelled set (make_eval.py).
Usage: metrics.py SCORED.csv THRESHOLD [--sweep] [--errors N]"""
import csv
import sys
from collections import defaultdict


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r.get("score", "") != ""]


def prf(rows, thr):
    tp = sum(1 for r in rows if r["label"] == "1" and float(r["score"]) >= thr)
    fp = sum(1 for r in rows if r["label"] == "0" and float(r["score"]) >= thr)
    fn = sum(1 for r in rows if r["label"] == "1" and float(r["score"]) < thr)
    p = tp / (tp + fp) if tp + fp else 1.0
    rc = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
    return p, rc, f1, tp, fp, fn


def main():
    rows = load(sys.argv[1])
    thr = float(sys.argv[2])
    if "--sweep" in sys.argv:
        print("| threshold | precision | recall | F1 |\n|---|---|---|---|")
        for t in [x / 100 for x in range(60, 96, 5)]:
            p, r, f, *_ = prf(rows, t)
            print(f"| {t:.2f} | {p:.4f} | {r:.4f} | {f:.4f} |")
        print()
    kinds = defaultdict(list)
    for r in rows:
        kinds[r["kind"]].append(r)
    neg = [r for r in rows if r["label"] == "0"]
    p, rc, f, tp, fp, fn = prf(rows, thr)
    print(f"Overall at threshold {thr:.2f}: {len(rows)} pairs, precision {p:.4f}, recall {rc:.4f}, F1 {f:.4f} "
          f"(TP {tp}, FP {fp}, FN {fn})\n")
    print("| kind | label | pairs | precision | recall | F1 | false positive rate |")
    print("|---|---|---|---|---|---|---|")
    for k in sorted(kinds, key=lambda k: (kinds[k][0]["label"] != "1", k)):
        rs = kinds[k]
        if rs[0]["label"] == "1":
            # a positive kind is measured against all negatives: precision of
            # "this kind of variant + every hard negative"
            p, rc, f, *_ = prf(rs + neg, thr)
            print(f"| {k} | match | {len(rs)} | {p:.4f} | {rc:.4f} | {f:.4f} | |")
        else:
            fpr = sum(1 for r in rs if float(r["score"]) >= thr) / len(rs)
            print(f"| {k} | non-match | {len(rs)} | | | | {fpr:.4f} |")
    if "--errors" in sys.argv:
        n = int(sys.argv[sys.argv.index("--errors") + 1])
        errs = [r for r in rows if (r["label"] == "1") != (float(r["score"]) >= thr)]
        for r in errs[:n]:
            print(f"ERR {r['kind']}: {r['name1']!r} vs {r['name2']!r} -> {r['score']}", file=sys.stderr)


if __name__ == "__main__":
    main()
