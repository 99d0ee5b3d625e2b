#!/usr/bin/env python3
"""Screening-mode independent benchmark (issue #3): what a user who tests
Puente with "their own" names sees. The pair benchmark (make_indep.py)
compares one name with one name; a screener compares a name with a whole
list, where an entity is found through any of its names and aliases.

Queries, all written by OFAC, none by Puente's variant generator:
  positive  an alias that a 2024-01/2025-02/2025-12 alt.csv added for an
            entity of the bundled 2021 list (data/screen/indep/
            ofac_new_aliases.csv, set later_alias); expected: that entity
  negative  an alias of an entity designated after 2021, on neither the
            bundled list nor the consolidated list (ofac_later_entities.csv):
            a name NOT on the list; expected: no alert
Split dev/test by entity (BLAKE2b of the entity number, as make_indep.py).

Modes:
  queries OUT.csv                     write the screening queries (id,name)
  score RESULTS.jsonl THRESHOLD [JW.csv]   metrics from `puente screen`
        JSON lines (run with --min-score low enough for the sweep) and,
        optionally, the jellyfish baseline's per-query scores
  check RESULTS.jsonl THRESHOLD [--min SPLIT:METRIC:X] [--max SPLIT:METRIC:X]
        exit 1 when a metric (recall, precision, top1, f1, neg_alert) of a split
        (dev, test, all) is under its --min or over its --max (the e2e test)
  jw OFAC_DIR QUERIES.csv OUT.csv      baseline: python3-jellyfish
        Jaro-Winkler of the lower-cased query against every listed name
        (sdn.csv + alt.csv); per query the 10 best entities and scores
Metrics at a threshold (an alert = a listed entity scoring >= threshold):
  recall     positives whose own entity is alerted
  top-1      positives whose own entity is the best result
  precision  alerts of the right entity / all alerts (both query kinds)
  neg_alert  negatives with at least one alert (the false-alert rate on
             names that are not listed)"""
import csv
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_indep import split_of  # noqa: E402  (the pair sets' dev/test split)

IND = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "screen", "indep")


def load_queries():
    """[(qid, name, expected entity id or '', split)], deterministic order."""
    out, seen = [], set()
    with open(f"{IND}/ofac_new_aliases.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["set"] != "later_alias" or (r["ent_num"], r["alt_name"]) in seen:
                continue
            seen.add((r["ent_num"], r["alt_name"]))
            out.append((f"p{len(out)}", r["alt_name"], "ofac-" + r["ent_num"],
                        split_of(r["ent_num"])))
    with open(f"{IND}/ofac_later_entities.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out.append((f"n{r['ent_num']}", r["alt_name"], "", split_of(r["ent_num"])))
    return out


def write_queries(path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name"])
        for q in load_queries():
            w.writerow([q[0], q[1]])


def read_puente(path):
    """qid -> [(entity id, score)] best first (suppressed results dropped)."""
    res = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            res[d["query_id"]] = [(r["id"], r["score"]) for r in d.get("results", [])
                                  if not r.get("suppressed")]
    return res


def read_jw(path):
    res = {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.reader(f):
            res.setdefault(r[0], []).append((r[1], float(r[2])))
    return res


def metrics(queries, res, t, split=None):
    pos = neg = hit = top1 = tp = alerts = neg_alerted = 0
    for qid, _, want, sp in queries:
        if split and sp != split:
            continue
        got = [(e, s) for e, s in res.get(qid, []) if s >= t]
        alerts += len(got)
        if want:
            pos += 1
            ok = any(e == want for e, _ in got)
            hit += ok
            tp += ok
            top1 += bool(got) and got[0][0] == want
        else:
            neg += 1
            neg_alerted += bool(got)
    p = tp / alerts if alerts else 1.0
    r = hit / pos if pos else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return dict(pos=pos, neg=neg, p=p, r=r, f1=f1, top1=top1 / pos if pos else 0.0,
                neg_alert=neg_alerted / neg if neg else 0.0, alerts=alerts)


def best_threshold(queries, res, grid, split=None):
    return max(((metrics(queries, res, t, split)["f1"], t) for t in grid))


def report(res_path, t, jw_path=None):
    qs = load_queries()
    res = read_puente(res_path)
    jw = read_jw(jw_path) if jw_path else None
    print(f"queries: {sum(1 for q in qs if q[2])} positive, {sum(1 for q in qs if not q[2])} negative")
    print(f"\n### Screening mode at threshold {t} (Puente) and the Jaro-Winkler baseline at its best threshold per split\n")
    print("| split | positives / negatives | Puente P / R / **F1** | Puente top-1 | Puente false-alert rate on unlisted names | JW best F1 (threshold) | JW P / R | JW false-alert rate |")
    print("|---|---|---|---|---|---|---|---|")
    grid = [x / 100 for x in range(50, 100)]
    for sp in ("dev", "test", None):
        m = metrics(qs, res, t, sp)
        row = f"| {sp or 'all'} | {m['pos']} / {m['neg']} | {m['p']:.3f} / {m['r']:.3f} / **{m['f1']:.3f}** | {m['top1']:.3f} | {m['neg_alert']:.3f} |"
        if jw:
            f, bt = best_threshold(qs, jw, grid, sp)
            j = metrics(qs, jw, bt, sp)
            row += f" {f:.3f} ({bt:.2f}) | {j['p']:.3f} / {j['r']:.3f} | {j['neg_alert']:.3f} |"
        else:
            row += " | | |"
        print(row)
    print("\n### Sweep (all): threshold, Puente P / R / F1 / false-alert rate\n")
    print("| threshold | P | R | F1 | top-1 | false-alert rate |")
    print("|---|---|---|---|---|---|")
    for x in (0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90):
        m = metrics(qs, res, x)
        print(f"| {x:.2f} | {m['p']:.3f} | {m['r']:.3f} | {m['f1']:.3f} | {m['top1']:.3f} | {m['neg_alert']:.3f} |")


def jw_baseline(ofac, qpath, out):
    import jellyfish
    names = []
    for fn, col in (("sdn.csv", 1), ("alt.csv", 3)):
        with open(f"{ofac}/{fn}", newline="", encoding="utf-8", errors="replace") as fh:
            for r in csv.reader(fh):
                if len(r) > col and r[0].strip().isdigit() and r[col].strip() not in ("", "-0-"):
                    names.append(("ofac-" + r[0].strip(), r[col].strip().lower()))
    jwf = jellyfish.jaro_winkler_similarity
    with open(qpath, newline="", encoding="utf-8") as f, open(out, "w", newline="") as g:
        w = csv.writer(g)
        for r in csv.DictReader(f):
            q, best = r["name"].lower(), {}
            for e, n in names:
                s = jwf(q, n)
                if s > best.get(e, 0.0):
                    best[e] = s
            for e, s in sorted(best.items(), key=lambda x: -x[1])[:10]:
                w.writerow([r["id"], e, f"{s:.4f}"])


def check(res_path, t, args):
    qs, res, bad = load_queries(), read_puente(res_path), 0
    for flag, spec in zip(args[::2], args[1::2]):
        sp, metric, lim = spec.split(":")
        m = metrics(qs, res, t, None if sp == "all" else sp)
        v = m[{"recall": "r", "precision": "p"}.get(metric, metric)]
        ok = v >= float(lim) if flag == "--min" else v <= float(lim)
        print(f"{'ok' if ok else 'FAIL'} {sp} {metric} {v:.3f} ({flag[2:]} {lim})")
        bad += not ok
    return 1 if bad else 0


def main():
    a = sys.argv[1:]
    if a and a[0] == "queries" and len(a) == 2:
        write_queries(a[1])
    elif a and a[0] == "score" and len(a) in (3, 4):
        report(a[1], float(a[2]), a[3] if len(a) == 4 else None)
    elif a and a[0] == "check" and len(a) >= 3 and len(a) % 2 == 1:
        sys.exit(check(a[1], float(a[2]), a[3:]))
    elif a and a[0] == "jw" and len(a) == 4:
        jw_baseline(a[1], a[2], a[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
