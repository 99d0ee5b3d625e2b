#!/usr/bin/env python3
"""The catalogue check (docs/web.md, "Languages"): every key the web pages
(web/src) and the C sources ask for exists in src/i18n/messages.tsv with both
texts, every value prefix the pages translate (tv("role", ...)) has entries,
and each page's dynamic keys (nav.<page>, page.error_<code>...) exist.
Exits 1 naming the missing keys. Usage: check_keys.py SOURCE_ROOT"""
import os
import re
import sys

root = sys.argv[1]
cat = {}
for n, line in enumerate(open(os.path.join(root, "src/i18n/messages.tsv"), encoding="utf-8"), 1):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    k, en, es = line.split("\t")
    cat[k] = (en, es)

import csv
with open(os.path.join(root, "data/ews/substances.csv"), encoding="utf-8", newline="") as f:
    for rec in csv.DictReader(f):
        cat["substance." + re.sub(r"[^a-z0-9_-]+", "_", rec["id"].lower())] = (rec["name_en"], rec["name_es"])

used = set()
prefixes = set()
for d, _, files in os.walk(os.path.join(root, "web/src")):
    for f in files:
        if f.endswith(".js"):
            text = open(os.path.join(d, f), encoding="utf-8").read()
            used |= set(re.findall(r'\bt\("([a-z0-9_.\-]+)"', text))
            prefixes |= set(re.findall(r'\btv\("([a-z_]+)"', text))
for d, _, files in os.walk(os.path.join(root, "src")):
    for f in files:
        if f.endswith(".c"):
            text = open(os.path.join(d, f), encoding="utf-8").read()
            used |= set(re.findall(r'\b(?:tr|say_with|i18n_get\([^,]+,)\s*\(?"([a-z0-9_]+\.[a-z0-9_.\-]+)"', text))

# keys built at run time by the shell (web/src/main.js)
pages = ["home", "search", "alerts", "cargo", "kinship", "admin", "audit", "entity", "trace"]
used |= {f"nav.{p}" for p in pages}
used |= {f"page.error_{c}.{w}" for c in (403, 404) for w in ("title", "body")}
used |= {"lang.switch_to_en", "lang.switch_to_es", "alerts.ack_done", "alerts.close_done"}

missing = sorted(k for k in used if k not in cat)
empty_prefix = sorted(p for p in prefixes if not any(k.startswith(p + ".") for k in cat))
fails = 0
for k in missing:
    print(f"not ok - key '{k}' is used but not in src/i18n/messages.tsv")
    fails += 1
for p in empty_prefix:
    print(f"not ok - values under '{p}.' are translated but the catalogue has none")
    fails += 1
for k, (en, es) in cat.items():
    if k.startswith("feature.") and not k.endswith("_help") and f"{k}_help" not in cat:
        print(f"not ok - explanation feature '{k}' has no plain-words help ({k}_help)")
        fails += 1
print(f"ok - {len(used)} keys used, {len(prefixes)} value prefixes, {len(cat)} catalogue entries")
print(f"{1 if not fails else 0} passed, {fails} failed")
sys.exit(1 if fails else 0)
