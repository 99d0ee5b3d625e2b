#!/usr/bin/python3
"""Baseline for the pair benchmarks: python3-jellyfish Jaro-Winkler of the two
names, lower-cased, as written (the same simple baseline as the speed bench).
Reads a pair CSV (name1,name2,...) and writes it back with a `score` column.
Usage: jellyfish_pairs.py IN.csv OUT.csv"""
import csv
import sys

import jellyfish


def main():
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    jw = jellyfish.jaro_winkler_similarity
    with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()) + ["score"])
        w.writeheader()
        for r in rows:
            r["score"] = f"{jw(r['name1'].lower(), r['name2'].lower()):.4f}"
            w.writerow(r)


if __name__ == "__main__":
    main()
