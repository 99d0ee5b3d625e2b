#!/usr/bin/env python3
"""P/R/F1 per set, per kind and per held-out split (dev / test / all) on the
independent pair sets (make_indep.py), for Puente (`puente compare --csv`
output) and, when given, a baseline that scored the same pairs
(jellyfish_pairs.py). Markdown to stdout.

The split is by entity (make_indep.py, BLAKE2b of the entity id). Rules are
designed on dev errors only: `--errors N` prints dev errors and never test
errors, so that the test figures stay a blind measurement.

Usage: indep_metrics.py PUENTE.csv THRESHOLD [BASELINE.csv] [--errors N]
       [--floor SPLIT:SUBSET:F ...]
  --floor test:all:0.70        exit 1 when Puente's F1 at THRESHOLD on SPLIT
  --floor dev:matchable:0.80   (dev|test|all) over SUBSET (all = every set,
                               matchable = without other_name positives,
                               or a set name) is below F
  --min-f1 F / --min-f1-matchable F   (older form) = --floor all:all:F /
                               --floor all:matchable:F"""
import sys
from collections import defaultdict

from metrics import load, prf as prf_counts  # same folder: one definition of P/R/F1

SPLITS = ("dev", "test", "all")


def prf(rows, thr):
    """precision, recall, F1 at thr (metrics.prf without the counts)"""
    return prf_counts(rows, thr)[:3]


def best(rows):
    return max(((t / 100,) + prf(rows, t / 100) for t in range(30, 100)), key=lambda x: x[3])


def in_split(rows, split):
    return rows if split == "all" else [r for r in rows if r.get("split", "dev") == split]


def subset(rows, name):
    if name == "all":
        return rows
    # "matchable": without the other_name positives (a different name, a
    # translation, an acronym) that no spelling-based matcher can find
    if name == "matchable":
        return [r for r in rows if r["kind"] != "other_name"]
    return [r for r in rows if r["set"] == name]


def subsets(rows):
    names = sorted({r["set"] for r in rows}) + ["all", "matchable"]
    label = {"all": "all sets", "matchable": "all sets, without other_name"}
    return [(label.get(n, n), n) for n in names]


def main_table(pu, bl, thr):
    print(f"### F1 at Puente's default threshold {thr:.2f} per split "
          "(dev = rules designed on it, test = held out), and at the best threshold\n")
    head = "| set | pairs dev (pos/neg) | test (pos/neg) |"
    head += " Puente dev P / R / **F1** | test P / R / **F1** | all P / R / **F1** | all best F1 (thr) |"
    head += " JW best F1 dev (thr) | test (thr) | all (thr) |" if bl else ""
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for label, key in subsets(pu):
        rs = subset(pu, key)
        cells = []
        for sp in ("dev", "test"):
            x = in_split(rs, sp)
            npos = sum(1 for r in x if r["label"] == "1")
            cells.append(f"{npos}/{len(x) - npos}")
        for sp in SPLITS:
            p, r, f = prf(in_split(rs, sp), thr)
            cells.append(f"{p:.3f} / {r:.3f} / **{f:.3f}**")
        bt, _, _, bf = best(rs)
        cells.append(f"{bf:.3f} ({bt:.2f})")
        if bl:
            brs = subset(bl, key)
            for sp in SPLITS:
                jt, _, _, jf = best(in_split(brs, sp))
                cells.append(f"{jf:.3f} ({jt:.2f})")
        print(f"| {label} | " + " | ".join(cells) + " |")


def kind_table(pu, thr):
    print("\n### Per kind at the default threshold (recall of positives, "
          "false-positive rate of negatives), dev / test\n")
    print("| set | kind | pairs dev / test | Puente dev | test |")
    print("|---|---|---|---|---|")
    for label, key in subsets(pu)[:-2]:
        kinds = defaultdict(list)
        for r in subset(pu, key):
            kinds[r["kind"]].append(r)
        for k in sorted(kinds, key=lambda k: (k.startswith("neg"), k)):
            cells = []
            for sp in ("dev", "test"):
                ks = in_split(kinds[k], sp)
                cells.append((len(ks), sum(1 for r in ks if float(r["score"]) >= thr) / len(ks) if ks else 0.0))
            print(f"| {label} | {k} | {cells[0][0]} / {cells[1][0]} | {cells[0][1]:.3f} | {cells[1][1]:.3f} |")


def sweep(pu, bl):
    print("\n### Threshold sweep, all sets: Puente F1 dev / test / all" + (", JW F1 all" if bl else "") + "\n")
    print("| threshold | Puente P (all) | R (all) | F1 dev | F1 test | F1 all |" + (" JW F1 all |" if bl else ""))
    print("|---|---|---|---|---|---|" + ("---|" if bl else ""))
    for t in [x / 100 for x in range(60, 100, 5)]:
        p, r, f = prf(pu, t)
        fd, ft = prf(in_split(pu, "dev"), t)[2], prf(in_split(pu, "test"), t)[2]
        line = f"| {t:.2f} | {p:.4f} | {r:.4f} | {fd:.4f} | {ft:.4f} | {f:.4f} |"
        if bl:
            line += f" {prf(bl, t)[2]:.4f} |"
        print(line)


def floors(args, pu, thr):
    specs = [args[i + 1] for i, a in enumerate(args) if a == "--floor"]
    if "--min-f1" in args:
        specs.append("all:all:" + args[args.index("--min-f1") + 1])
    if "--min-f1-matchable" in args:
        specs.append("all:matchable:" + args[args.index("--min-f1-matchable") + 1])
    rc = 0
    for spec in specs:
        sp, key, fl = spec.split(":")
        f = prf(in_split(subset(pu, key), sp), thr)[2]
        print(f"F1 {sp} {key} at {thr:.2f}: {f:.4f} (floor {float(fl):.4f})")
        rc |= f < float(fl)
    return rc


def main():
    args = sys.argv[1:]
    pu = load(args[0])
    thr = float(args[1])
    bl = load(args[2]) if len(args) > 2 and not args[2].startswith("--") else None
    main_table(pu, bl, thr)
    kind_table(pu, thr)
    sweep(pu, bl)
    if "--errors" in args:
        n = int(args[args.index("--errors") + 1])
        # dev only: the test split stays blind
        errs = [r for r in in_split(pu, "dev")
                if (r["label"] == "1") != (float(r["score"]) >= thr)]
        for r in errs[:n]:
            print(f"ERR {r['set']}/{r['kind']}: {r['name1']!r} vs {r['name2']!r} -> {r['score']}",
                  file=sys.stderr)
    print()
    return 1 if floors(args, pu, thr) else 0


if __name__ == "__main__":
    sys.exit(main())
