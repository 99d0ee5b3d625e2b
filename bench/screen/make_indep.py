#!/usr/bin/env python3
"""Independent labelled name-pair sets (issue #3): pairs that OFAC itself
wrote, not pairs made by our variant generator (make_eval.py).

Sets (source rows: data/screen/indep, see its SOURCE.md):
  later_alias      alias added by a 2024-01/2025-02/2025-12 alt.csv for an
                   entity of the 2021 list, paired with its 2021 primary name
  alias_2019_2021  alias added by the 2021 alt.csv for an entity of the 2019
                   list, paired with its 2019 primary name; plus the primary
                   names OFAC re-spelt between the 2019 and 2021 sdn.csv
  consolidated     primary name / alias pairs of the consolidated (non-SDN) list
Positive kinds (from the token sets, independent of Puente's scoring):
  subset     one side's tokens are all in the other (reordered, tokens added
             or dropped: "ROTENBERG, Roman" / "ROTENBERG, Roman Borysovych")
  respelling at least half of the shorter side's tokens have a counterpart with
             difflib ratio >= 0.75 ("LUKASHENKA, Alyaksandr" / "LUKASHENKO, Alexander")
  other_name the rest: a different name, a translation, an acronym
             ("QASIR, Ali" / "GHASEMI, Naser"); no name matcher should find these
Hard negatives per positive query, from other entities of the 2021 SDN list
(and, for the consolidated set, the consolidated list too):
  neg_nearest    the non-self name nearest to the query by a simple baseline
                 (Jaccard of character trigrams of the sorted tokens)
  neg_same_token another entity's name sharing the query's rarest token
Names equal (case/space-insensitive) to a name of the query's entity are never
used as negatives (the same entity listed twice, or an ambiguous label).
Held-out split (by entity): every row gets split = dev or test from BLAKE2b
of the positive's entity id (the query's entity; its hard negatives go with
it), 50/50. Rules are designed on dev errors only; test is reported as the
blind figure. An entity in two sets lands in the same split in both.
Output CSV: name1,name2,schema,set,kind,label,entity_id,split. Deterministic.
Usage: make_indep.py OFAC_DIR INDEP_DIR OUT.csv [--max-per-set N]"""
import csv
import difflib
import hashlib
import math
import random
import re
import sys
from collections import defaultdict

SEED = 20261128
SCHEMA = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}


def read(path, header=False):
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        r = csv.DictReader(f) if header else csv.reader(f)
        return [x for x in r if header or (len(x) > 3 and x[0].strip().isdigit())]


def clean(v):
    v = v.strip()
    return "" if v == "-0-" else v


def toks(s):
    return re.findall(r"[a-z0-9]+", s.lower())


def key(s):
    return " ".join(s.lower().split())


LEGAL = {"ltd", "limited", "llc", "inc", "co", "company", "corp", "corporation", "sa", "de",
         "cv", "oao", "ooo", "zao", "pao", "ao", "jsc", "pjsc", "ojsc", "cjsc", "gmbh", "the",
         "of", "and", "srl", "sarl", "llp", "plc", "bv", "nv", "ag", "fze", "fzco", "ltda"}


def core(s):
    return set(toks(s)) - LEGAL


def split_of(eid):
    """dev or test, 50/50 by a hash of the entity id: stable across runs,
    Python versions and set sizes (no RNG state involved)."""
    return "dev" if hashlib.blake2b(eid.encode(), digest_size=8).digest()[0] < 128 else "test"


def kind_of(a, b):
    ta, tb = set(toks(a)), set(toks(b))
    if ta <= tb or tb <= ta:
        return "subset"
    small, big = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    near = sum(1 for t in small
               if any(difflib.SequenceMatcher(None, t, u).ratio() >= 0.75 for u in big))
    return "respelling" if 2 * near >= len(small) else "other_name"


def trigrams(s):
    t = " " + " ".join(sorted(toks(s))) + " "
    return {t[i:i + 3] for i in range(len(t) - 2)}


class Pool:
    """Listed names of other entities, with a trigram and a token index."""

    def __init__(self, names):  # names: [(eid, name)]
        self.names = names
        self.tri = defaultdict(list)
        self.tok = defaultdict(list)
        self.grams = []
        for i, (_, n) in enumerate(names):
            g = trigrams(n)
            self.grams.append(len(g))
            for x in g:
                self.tri[x].append(i)
            for t in set(toks(n)):
                self.tok[t].append(i)

    def ok(self, i, self_eids, self_keys, q):
        eid, n = self.names[i]
        if eid in self_eids or key(n) in self_keys:
            return False
        a, b = core(q), core(n)
        # one name inside the other (CNOOC / CNOOC LTD are two listed
        # entities): ambiguous at name level, never a negative
        return bool(a and b) and not (a <= b or b <= a)

    def nearest(self, q, self_eids, self_keys):
        g = trigrams(q)
        cnt = defaultdict(int)
        for x in g:
            for i in self.tri.get(x, ()):
                cnt[i] += 1
        best, bi = -1.0, None
        for i, c in cnt.items():
            j = c / (len(g) + self.grams[i] - c)
            # ties go to the first listed name: the dict's order depends on
            # Python's per-run string hashing, the result must not
            if (j > best or (j == best and i < bi)) and self.ok(i, self_eids, self_keys, q):
                best, bi = j, i
        return bi

    def same_token(self, q, self_eids, self_keys, rng):
        ts = sorted(set(toks(q)), key=lambda t: (len(self.tok.get(t, ())), t))
        for t in ts:
            if len(t) < 3 or not self.tok.get(t):
                continue
            cand = [i for i in self.tok[t] if self.ok(i, self_eids, self_keys, q)]
            if cand:
                return rng.choice(sorted(cand))
        return None


def listed(ofac, prefix, prim, alt):
    ents, names = {}, []
    for r in read(f"{ofac}/{prim}"):
        eid = f"{prefix}{r[0].strip()}"
        ents[eid] = SCHEMA.get(clean(r[2]), "Organization")
        names.append((eid, clean(r[1])))
    for r in read(f"{ofac}/{alt}"):
        if clean(r[3]):
            names.append((f"{prefix}{r[0].strip()}", clean(r[3])))
    return ents, names


def positives(indep):
    out = []  # (set, eid, schema, query, listed)
    for r in read(f"{indep}/ofac_new_aliases.csv", header=True):
        s = SCHEMA.get(r["sdn_type"], "Organization")
        out.append((r["set"], f"ofac-{r['ent_num']}", s, r["alt_name"], r["base_name"]))
    for r in read(f"{indep}/ofac_renamed.csv", header=True):
        s = SCHEMA.get(r["sdn_type"], "Organization")
        out.append(("alias_2019_2021", f"ofac-{r['ent_num']}", s, r["name_2019"], r["name_2021"]))
    prim = {f"cons-{r[0].strip()}": (clean(r[1]), SCHEMA.get(clean(r[2]), "Organization"))
            for r in read(f"{indep}/cons_prim.csv")}
    for r in read(f"{indep}/cons_alt.csv"):
        eid = f"cons-{r[0].strip()}"
        if eid in prim and clean(r[3]):
            out.append(("consolidated", eid, prim[eid][1], clean(r[3]), prim[eid][0]))
    return [p for p in out if p[3] and p[4] and key(p[3]) != key(p[4])]


def main():
    ofac, indep, outp = sys.argv[1], sys.argv[2], sys.argv[3]
    cap = int(sys.argv[sys.argv.index("--max-per-set") + 1]) if "--max-per-set" in sys.argv else 0
    rng = random.Random(SEED)
    _, sdn_names = listed(ofac, "ofac-", "sdn.csv", "alt.csv")
    _, cons_names = listed(indep, "cons-", "cons_prim.csv", "cons_alt.csv")
    own = defaultdict(set)
    for eid, n in sdn_names + cons_names:
        own[eid].add(key(n))
    sdn_pool, all_pool = Pool(sdn_names), Pool(sdn_names + cons_names)
    pos = positives(indep)
    by_set = defaultdict(list)
    for p in pos:
        by_set[p[0]].append(p)
    rows = []
    for st in sorted(by_set):
        ps = by_set[st]
        if cap and len(ps) > cap:
            ps = sorted(rng.sample(ps, cap), key=lambda p: (p[1], p[3]))
        pool = all_pool if st == "consolidated" else sdn_pool
        for s, eid, schema, q, lst in ps:
            sp = split_of(eid)
            rows.append((q, lst, schema, s, kind_of(q, lst), 1, eid, sp))
            keys = own[eid] | {key(lst)}
            i = pool.nearest(q, {eid}, keys)
            if i is not None:
                rows.append((q, pool.names[i][1], schema, s, "neg_nearest", 0, pool.names[i][0], sp))
            i = pool.same_token(q, {eid}, keys, rng)
            if i is not None:
                rows.append((q, pool.names[i][1], schema, s, "neg_same_token", 0, pool.names[i][0], sp))
    with open(outp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["name1", "name2", "schema", "set", "kind", "label", "entity_id", "split"])
        w.writerows(rows)
    cnt = defaultdict(int)
    for r in rows:
        cnt[(r[3], r[4])] += 1
        cnt[(r[3], r[7] + "_" + r[4])] += 1
    for k in sorted(cnt):
        print(f"{k[0]} {k[1]}: {cnt[k]}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
