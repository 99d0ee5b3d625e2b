#!/usr/bin/env python3
"""Naive baseline for cargo screening: case-insensitive substring search of
every watchlist name, synonym, code name and CAS number in each description
(what a spreadsheet filter or a grep over the list does).

Usage: naive_baseline.py WATCHLIST.csv MANIFEST.csv OUT.csv
Writes awb,hawb,decision (hold when a controlled chemical's term occurs,
review for a watched one, else release) so `puente cargo evaluate` can score
it against the same truth file. Prints lines and CPU seconds to stderr.
"""
import csv, sys, time

def terms(path):
    out = []
    for r in csv.DictReader(open(path, encoding="utf-8")):
        names = [r["name_en"], r["name_es"], r["cas"]]
        for col in ("synonyms_en", "synonyms_es", "code_names"):
            names += [s for s in r[col].split(";")]
        for n in names:
            n = n.strip().lower()
            if n:
                out.append((n, r["tier"]))
    return out

def main():
    t = terms(sys.argv[1])
    start = time.process_time()
    n = 0
    with open(sys.argv[2], encoding="utf-8", newline="") as f, open(sys.argv[3], "w", newline="") as o:
        w = csv.writer(o)
        w.writerow(["awb", "hawb", "decision"])
        for row in csv.DictReader(f):
            d = row["description"].lower()
            dec = "release"
            for term, tier in t:
                if term in d:
                    if tier == "controlled":
                        dec = "hold"
                        break
                    dec = "review"
            w.writerow([row["awb"], row["hawb"], dec])
            n += 1
    cpu = time.process_time() - start
    print(f"{n} {cpu:.3f}", file=sys.stderr)

main()
