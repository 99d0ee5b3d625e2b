#!/usr/bin/env python3
"""tests/screen/intl_dev.tsv -> the CSV `puente compare --csv` reads
(name1, name2, schema, kind, label). Usage: intl_pairs.py TSV OUT.csv"""
import csv
import sys

rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8") if l.strip() and not l.startswith("#")]
head, rows = rows[0], rows[1:]
if head != ["kind", "label", "schema", "name1", "name2"] or any(len(r) != 5 or r[1] not in "01" for r in rows):
    sys.exit(f"{sys.argv[1]}: expected kind, label (0/1), schema, name1, name2 on every line")
with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["name1", "name2", "schema", "kind", "label"])
    for kind, label, schema, a, b in rows:
        w.writerow([a, b, schema, kind, label])
print(f"{len(rows)} pairs", file=sys.stderr)
