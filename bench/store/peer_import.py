#!/usr/bin/env python3
"""Peer baseline for bench/store: the same imports in plain Python + sqlite3.

  peer_import.py ftm FILE DB    FtM JSON lines -> the same two tables and indexes
                                puente uses (entity, entity_dataset), one
                                transaction, executemany. No validation, no
                                schema check, no name folding: a lower bound
                                for "parse JSON and insert rows".
  peer_import.py ofac DIR DB    the four OFAC CSV files -> one row per sdn.csv
                                entry with its alt names and addresses as JSON,
                                without remarks parsing: what a simple loader does.
"""
import csv
import json
import sqlite3
import sys
import time

SCHEMA = """
CREATE TABLE entity (id TEXT PRIMARY KEY, schema TEXT NOT NULL, caption TEXT NOT NULL,
  names TEXT NOT NULL, data TEXT NOT NULL, first_seen TEXT, last_seen TEXT, owner TEXT,
  marking TEXT NOT NULL, caveats TEXT, created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE INDEX entity_schema ON entity(schema);
CREATE INDEX entity_owner ON entity(owner);
CREATE TABLE entity_dataset (dataset TEXT NOT NULL, entity_id TEXT NOT NULL
  REFERENCES entity(id) ON DELETE CASCADE, PRIMARY KEY (dataset, entity_id));
CREATE INDEX entity_dataset_entity ON entity_dataset(entity_id);
"""
NOW = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def open_db(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(SCHEMA)
    return db


def ftm(path, dbpath):
    db = open_db(dbpath)
    db.execute("BEGIN")
    rows, ds = [], []
    n = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            props = e.get("properties", {})
            names = "\n".join(v.lower() for k in ("name", "alias") for v in props.get(k, []))
            caption = (props.get("name") or [e["id"]])[0]
            rows.append((e["id"], e["schema"], caption, names, json.dumps(e, ensure_ascii=False),
                         e.get("first_seen"), e.get("last_seen"), e.get("owner"),
                         e.get("marking", "PUBLIC"), e.get("caveats"), NOW, NOW))
            ds.extend((d, e["id"]) for d in e.get("datasets", []))
            n += 1
            if len(rows) >= 10000:
                flush(db, rows, ds)
    flush(db, rows, ds)
    db.execute("COMMIT")
    return n


def flush(db, rows, ds):
    db.executemany("INSERT INTO entity VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.executemany("INSERT INTO entity_dataset VALUES (?,?)", ds)
    rows.clear()
    ds.clear()


def ofac(d, dbpath):
    def rows(name):
        with open(f"{d}/{name}", encoding="utf-8", newline="") as f:
            for r in csv.reader(f):
                if len(r) > 1:
                    yield [None if x.strip() == "-0-" else x.strip() for x in r]
    ents = {}
    for r in rows("sdn.csv"):
        ents[r[0]] = {"id": f"ofac-{r[0]}", "name": r[1], "type": r[2], "program": r[3],
                      "remarks": r[11], "alt": [], "add": []}
    for r in rows("alt.csv"):
        ents[r[0]]["alt"].append(r[3])
    for r in rows("add.csv"):
        ents[r[0]]["add"].append(", ".join(x for x in r[2:5] if x))
    db = open_db(dbpath)
    db.execute("BEGIN")
    db.executemany("INSERT INTO entity VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                   [(e["id"], e["type"] or "Organization", e["name"], e["name"].lower(),
                     json.dumps(e), None, None, "OFAC", "PUBLIC", None, NOW, NOW) for e in ents.values()])
    db.executemany("INSERT INTO entity_dataset VALUES (?,?)", [("us_ofac_sdn", e["id"]) for e in ents.values()])
    db.execute("COMMIT")
    return len(ents)


if __name__ == "__main__":
    kind, src, dbpath = sys.argv[1:4]
    n = ftm(src, dbpath) if kind == "ftm" else ofac(src, dbpath)
    print(f"peer {kind}: {n} records", file=sys.stderr)
