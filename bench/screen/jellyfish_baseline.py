#!/usr/bin/python3
"""Baseline for the speed benchmark: Jaro-Winkler of the query against every
listed name (SDN primary names + ALT names) with python3-jellyfish, best
score wins. One core, the same queries as bench_screen.
Usage: jellyfish_baseline.py DATA_DIR QUERIES N"""
import csv
import sys
import time

import jellyfish


def names(data):
    out = []
    for f, col in (("sdn.csv", 1), ("alt.csv", 3)):
        with open(f"{data}/{f}", newline="", encoding="utf-8", errors="replace") as fh:
            for r in csv.reader(fh):
                if len(r) > col and r[col].strip() not in ("", "-0-"):
                    out.append(r[col].strip().lower())
    return out


def main():
    data, qpath, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    listed = names(data)
    qs = [l.strip().lower() for l in open(qpath, encoding="utf-8") if l.strip()][:n]
    jw = jellyfish.jaro_winkler_similarity
    lat = []
    t0 = time.process_time()
    for q in qs:
        a = time.process_time()
        best = max(listed, key=lambda s: jw(q, s))
        lat.append((time.process_time() - a) * 1e6)
        del best
    total = time.process_time() - t0
    lat.sort()
    print(f"jellyfish_names: {len(listed)}")
    print(f"jellyfish_queries: {len(qs)}")
    print(f"jellyfish_qps_cpu: {len(qs) / total:.1f}")
    print(f"jellyfish_p50_us_cpu: {lat[len(lat) // 2]:.0f}")
    print(f"jellyfish_p99_us_cpu: {lat[int(0.99 * (len(lat) - 1))]:.0f}")


if __name__ == "__main__":
    main()
