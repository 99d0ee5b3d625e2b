#!/usr/bin/env python3
"""P/R/F1 per set and per kind on the independent pair sets (make_indep.py),
for Puente (`puente compare --csv` output) and, when given, a baseline scored
the same pairs (jellyfish_pairs.py). Markdown to stdout.
Usage: indep_metrics.py PUENTE.csv THRESHOLD [BASELINE.csv] [--errors N]
       [--min-f1 F] [--min-f1-matchable F]   (exit 1 when Puente's F1 at
       THRESHOLD over all sets, or without the other_name positives, is below F)"""
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
    return p, rc, (2 * p * rc / (p + rc) if p + rc else 0.0)


def best(rows):
    return max(((t / 100,) + prf(rows, t / 100) for t in range(30, 100)), key=lambda x: x[3])


def subsets(rows):
    sets = defaultdict(list)
    for r in rows:
        sets[r["set"]].append(r)
    out = [(s, sets[s]) for s in sorted(sets)]
    out.append(("all sets", rows))
    # "matchable": without the other_name positives (a different name, a
    # translation, an acronym) that no name matcher is expected to find
    out.append(("all sets, without other_name", [r for r in rows if r["kind"] != "other_name"]))
    return out


def main():
    args = [a for a in sys.argv[1:]]
    pu = load(args[0])
    thr = float(args[1])
    bl = load(args[2]) if len(args) > 2 and not args[2].startswith("--") else None
    print(f"### Per set at Puente's default threshold {thr:.2f}, and at each matcher's best-F1 threshold\n")
    print("| set | pairs (pos/neg) | Puente P | R | F1 @%.2f | Puente best F1 (thr) |"
          % thr + (" JW P | R | F1 @0.90 | JW best F1 (thr) |" if bl else ""))
    print("|---|---|---|---|---|---|" + ("---|---|---|---|" if bl else ""))
    bsets = dict(subsets(bl)) if bl else {}
    for name, rs in subsets(pu):
        npos = sum(1 for r in rs if r["label"] == "1")
        p, r, f = prf(rs, thr)
        bt, _, _, bf = best(rs)
        line = f"| {name} | {npos}/{len(rs) - npos} | {p:.4f} | {r:.4f} | **{f:.4f}** | {bf:.4f} ({bt:.2f}) |"
        if bl:
            jp, jr, jf = prf(bsets[name], 0.90)
            jt, _, _, jbf = best(bsets[name])
            line += f" {jp:.4f} | {jr:.4f} | {jf:.4f} | {jbf:.4f} ({jt:.2f}) |"
        print(line)
    print("\n### Per kind at the default threshold (recall of positives, false-positive rate of negatives)\n")
    print("| set | kind | pairs | Puente recall / FPR |" + (" JW recall / FPR @0.90 |" if bl else ""))
    print("|---|---|---|---|" + ("---|" if bl else ""))
    for name, rs in subsets(pu)[:-2]:
        kinds = defaultdict(list)
        for r in rs:
            kinds[r["kind"]].append(r)
        bk = defaultdict(list)
        for r in (bsets.get(name, []) if bl else []):
            bk[r["kind"]].append(r)
        for k in sorted(kinds, key=lambda k: (k.startswith("neg"), k)):
            ks = kinds[k]
            hit = sum(1 for r in ks if float(r["score"]) >= thr) / len(ks)
            line = f"| {name} | {k} | {len(ks)} | {hit:.4f} |"
            if bl:
                line += f" {sum(1 for r in bk[k] if float(r['score']) >= 0.90) / len(bk[k]):.4f} |"
            print(line)
    print("\n### Threshold sweep, all sets\n")
    print("| threshold | Puente P | R | F1 |" + (" JW P | R | F1 |" if bl else ""))
    print("|---|---|---|---|" + ("---|---|---|" if bl else ""))
    for t in [x / 100 for x in range(60, 100, 5)]:
        p, r, f = prf(pu, t)
        line = f"| {t:.2f} | {p:.4f} | {r:.4f} | {f:.4f} |"
        if bl:
            p, r, f = prf(bl, t)
            line += f" {p:.4f} | {r:.4f} | {f:.4f} |"
        print(line)
    if "--errors" in args:
        n = int(args[args.index("--errors") + 1])
        errs = [r for r in pu if r["kind"] != "other_name" and (r["label"] == "1") != (float(r["score"]) >= thr)]
        for r in errs[:n]:
            print(f"ERR {r['set']}/{r['kind']}: {r['name1']!r} vs {r['name2']!r} -> {r['score']}", file=sys.stderr)
    rc = 0
    if "--min-f1" in args:
        floor = float(args[args.index("--min-f1") + 1])
        f = prf(pu, thr)[2]
        print(f"\nF1 over all sets at {thr:.2f}: {f:.4f} (floor {floor:.4f})")
        rc |= f < floor
    if "--min-f1-matchable" in args:
        floor = float(args[args.index("--min-f1-matchable") + 1])
        f = prf([r for r in pu if r["kind"] != "other_name"], thr)[2]
        print(f"F1 without other_name at {thr:.2f}: {f:.4f} (floor {floor:.4f})")
        rc |= f < floor
    return 1 if rc else 0


if __name__ == "__main__":
    sys.exit(main())
