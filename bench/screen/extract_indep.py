#!/usr/bin/env python3
"""Extract the source rows of the independent name-pair sets (issue #3) from
the OFAC vintages in the project's reference data into data/screen/indep/.
Run once by a maintainer (the reference folder is not part of the project);
the benchmark and tests then read only data/ofac and data/screen/indep.

Writes:
  ofac_new_aliases.csv  set,ent_num,sdn_type,base_name,alt_type,alt_name,first_seen
      later_alias:  aliases that a later alt.csv (2024-01, 2025-02, 2025-12)
                    lists for an entity of the 2021 sdn.csv and that the 2021
                    alt.csv did not have; base_name = 2021 primary name.
      alias_2019_2021: aliases in the 2021 alt.csv, absent from the 2019 one,
                    for entities already in the 2019 sdn.csv; base_name =
                    2019 primary name.
  ofac_renamed.csv      ent_num,sdn_type,name_2019,name_2021  (primary name
                    re-spelt or replaced between the 2019 and 2021 sdn.csv)
  cons_prim.csv, cons_alt.csv  copied verbatim (consolidated non-SDN list).
  ofac_later_entities.csv  ent_num,alt_type,alt_name,first_seen: one alias
                    (the first listed) of each of 1,000 entities that a later
                    alt.csv (2024-01, 2025-02, 2025-12) lists and that are on
                    neither the 2021 sdn.csv nor the consolidated list:
                    designated after the bundled list, so names NOT on it (the
                    negatives of bench/screen/indep_screen.py). Sample: the
                    1,000 smallest SHA-256 hashes of the entity number.
Usage: extract_indep.py REF_OFAC_DIR OUT_DIR"""
import csv
import hashlib
import shutil
import sys


def rows(path):
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        return [r for r in csv.reader(f) if len(r) > 3 and r[0].strip().isdigit()]


def clean(v):
    v = v.strip()
    return "" if v == "-0-" else v


def key(s):
    return " ".join(s.lower().split())


def main():
    ref, out = sys.argv[1], sys.argv[2]
    sdn21 = {r[0]: r for r in rows(f"{ref}/sdn.csv")}
    sdn19 = {r[0]: r for r in rows(f"{ref}/2019-01_test-testdata/sdn.csv")}
    alt21 = rows(f"{ref}/alt.csv")
    alt19 = rows(f"{ref}/2019-01_test-testdata/alt.csv")
    known21 = {(r[0], key(r[3])) for r in alt21} | {(k, key(r[1])) for k, r in sdn21.items()}
    known19 = {(r[0], key(r[3])) for r in alt19} | {(k, key(r[1])) for k, r in sdn19.items()}
    recs, seen = [], set()
    for vint in ("2024-01_test-testdata-static", "2025-02_pkg-sources-ofac-testdata",
                 "2025-12_internal-tfidf-testdata"):
        for r in rows(f"{ref}/{vint}/alt.csv"):
            e, name = r[0], clean(r[3])
            if e not in sdn21 or not name or (e, key(name)) in known21 or (e, key(name)) in seen:
                continue
            seen.add((e, key(name)))
            recs.append(["later_alias", e, clean(sdn21[e][2]) or "entity", clean(sdn21[e][1]),
                         clean(r[2]), name, vint[:7]])
    for r in alt21:
        e, name = r[0], clean(r[3])
        if e not in sdn19 or not name or (e, key(name)) in known19:
            continue
        recs.append(["alias_2019_2021", e, clean(sdn19[e][2]) or "entity", clean(sdn19[e][1]),
                     clean(r[2]), name, "2021-07"])
    with open(f"{out}/ofac_new_aliases.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["set", "ent_num", "sdn_type", "base_name", "alt_type", "alt_name", "first_seen"])
        w.writerows(recs)
    with open(f"{out}/ofac_renamed.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["ent_num", "sdn_type", "name_2019", "name_2021"])
        for e, r in sdn19.items():
            if e in sdn21 and key(r[1]) != key(sdn21[e][1]):
                w.writerow([e, clean(sdn21[e][2]) or "entity", clean(r[1]), clean(sdn21[e][1])])
    for fn in ("cons_prim.csv", "cons_alt.csv"):
        shutil.copyfile(f"{ref}/consolidated_test-testdata/{fn}", f"{out}/{fn}")
    print(f"new aliases: {len(recs)}")
    write_later_entities(ref, out, sdn21)


def write_later_entities(ref, out, sdn21):
    """One alias each of 1,000 entities designated after the 2021 list."""
    cons = {r[0] for r in rows(f"{ref}/consolidated_test-testdata/cons_prim.csv")}
    first = {}
    for vint in ("2024-01_test-testdata-static", "2025-02_pkg-sources-ofac-testdata",
                 "2025-12_internal-tfidf-testdata"):
        for r in rows(f"{ref}/{vint}/alt.csv"):
            e, name = r[0].strip(), clean(r[3])
            if e in sdn21 or e in cons or not name or e in first:
                continue
            first[e] = [e, clean(r[2]), name, vint[:7]]
    # sha256, not the BLAKE2b of the dev/test split: the smallest BLAKE2b hashes
    # would all fall into one split
    pick = sorted(first, key=lambda e: hashlib.sha256(e.encode()).digest())[:1000]
    with open(f"{out}/ofac_later_entities.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["ent_num", "alt_type", "alt_name", "first_seen"])
        w.writerows(sorted((first[e] for e in pick), key=lambda r: int(r[0])))
    print(f"later entities: {len(first)}, kept {len(pick)}")


if __name__ == "__main__":
    main()
