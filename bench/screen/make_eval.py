#!/usr/bin/env python3
"""Build a labelled name-pair evaluation set from the bundled OFAC SDN data.

Writes CSV with header name1,name2,schema,kind,label,entity_id:
  name1  the query (a realistic variant, or a different person/company)
  name2  the listed name (as OFAC writes it)
  label  1 = same entity, 0 = different
Positive kinds: accents, typo, transposition, dropped_maternal, surname_first,
  nickname_only, with_nickname, transliteration, cyrillic, legal_form, case_punct.
Negative kinds: same_surname (another listed person sharing the paternal
  surname), common_name (a frequent Hispanic name sharing one surname),
  same_legal_form (another company with the same legal form and one shared word).
Deterministic (seeded). Usage: make_eval.py DATA_DIR OUT.csv [--max-per-kind N]
"""
import csv
import random
import re
import sys

SEED = 20261128
ACCENTS = {"jose": "josé", "maria": "maría", "garcia": "garcía", "hernandez": "hernández",
           "gonzalez": "gonzález", "rodriguez": "rodríguez", "martinez": "martínez", "lopez": "lópez",
           "perez": "pérez", "sanchez": "sánchez", "ramirez": "ramírez", "gomez": "gómez",
           "diaz": "díaz", "fernandez": "fernández", "jesus": "jesús", "ramon": "ramón",
           "angel": "ángel", "nunez": "núñez", "ibanez": "ibáñez", "munoz": "muñoz",
           "avila": "ávila", "alvarez": "álvarez", "cardenas": "cárdenas", "hector": "héctor",
           "ruben": "rubén", "martin": "martín", "adrian": "adrián", "cesar": "césar",
           "trevino": "treviño", "chavez": "chávez", "peña": "peña", "pena": "peña",
           "beltran": "beltrán", "mendez": "méndez", "velazquez": "velázquez", "vazquez": "vázquez",
           "dominguez": "domínguez", "jimenez": "jiménez", "gutierrez": "gutiérrez", "andres": "andrés",
           "raul": "raúl", "ines": "inés", "sofia": "sofía", "maria": "maría", "ivan": "iván",
           "guzman": "guzmán", "leon": "león", "rincon": "rincón", "calderon": "calderón",
           "monica": "mónica", "veronica": "verónica", "oscar": "óscar", "joaquin": "joaquín"}
TRANSLIT = [("mohammed", "muhammad"), ("mohammad", "muhammed"), ("muhammad", "mohamed"),
            ("ahmed", "ahmad"), ("ahmad", "ahmed"), ("hussein", "husayn"), ("husain", "hussein"),
            ("hassan", "hasan"), ("abdul", "abdel"), ("abdel", "abdul"), ("abd al", "abdul"),
            ("ou", "u"), ("ee", "i"), ("oo", "u"), ("yousef", "yusuf"), ("yusuf", "yousef"),
            ("kh", "h"), ("q", "k"), ("dh", "z"), ("aa", "a"), ("ei", "ey"), ("ali", "aly"),
            ("omar", "umar"), ("osama", "usama"), ("el ", "al-"), ("al-", "el "), ("sh", "ch")]
CYR = {"shch": "щ", "sh": "ш", "ch": "ч", "kh": "х", "zh": "ж", "ts": "ц", "yu": "ю", "ya": "я", "yo": "ё",
       "a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и", "y": "й",
       "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т",
       "u": "у", "f": "ф"}
LEGAL_VARIANTS = [
    (r"S\.\s?A\.\s?DE\s?C\.\s?V\.", ["SA DE CV", "S.A. de C.V.", "SADECV", "S A DE C V", ""]),
    (r"S\.\s?DE\s?R\.\s?L\.\s?DE\s?C\.\s?V\.", ["S DE RL DE CV", "S. de R.L. de C.V.", ""]),
    (r"\bLIMITED\b", ["LTD", "Ltd.", ""]), (r"\bLTD\b\.?", ["LIMITED", "Limited", ""]),
    (r"\bLTDA\b\.?", ["LIMITADA", "Ltda", ""]),
    (r"\bL\.?L\.?C\.?", ["LLC", "L.L.C.", "Llc", ""]), (r"\bINC\.?", ["INCORPORATED", "Inc", ""]),
    (r"\bCO\.,? LTD\.?", ["COMPANY LIMITED", "CO LTD", ""]), (r"\bS\.\s?A\.", ["SA", "S A", ""]),
    (r"\bGMBH\b", ["GmbH", "G.m.b.H.", ""]), (r"\bCORPORATION\b", ["CORP", "Corp.", ""]),
    (r" & ", [" AND ", " and "]), (r" AND ", [" & "])]
COMMON_GIVEN = ["Juan", "Jose", "Luis", "Carlos", "Jorge", "Miguel", "Francisco", "Maria", "Ana",
                "Guadalupe", "Jesus", "Antonio", "Alejandro", "Pedro", "Manuel", "Ricardo", "Roberto"]
COMMON_SUR = ["Garcia", "Hernandez", "Martinez", "Lopez", "Gonzalez", "Rodriguez", "Perez", "Sanchez",
              "Ramirez", "Flores", "Gomez", "Torres", "Diaz", "Vazquez", "Cruz", "Morales", "Reyes"]
KEYB = {c: n for c, n in zip("qwertyuiopasdfghjklzxcvbnm", "wertyuiopqsdfghjklaxcvbnmz")}


def read(path):
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        return [r for r in csv.reader(f) if r and r[0].strip() and r[0].strip() != "\x1a"]


def clean(v):
    v = v.strip()
    return "" if v == "-0-" else v


def natural(name):
    """'SURNAME(S), Given' -> 'Given SURNAME(S)'"""
    if name.count(",") == 1:
        a, b = [x.strip() for x in name.split(",")]
        return f"{b} {a}"
    return name


def tokens(s):
    return re.findall(r"[A-Za-z0-9]+", s.lower())


def mutate_token(name, rng, how):
    toks = name.split(" ")
    idx = [i for i, t in enumerate(toks) if len(t) >= 5 and t.isalpha()]
    if not idx:
        return None
    i = rng.choice(idx)
    t = toks[i]
    p = rng.randrange(1, len(t) - 1)
    if how == "typo":
        c = t[p].lower()
        r = KEYB.get(c, "e")
        t = t[:p] + (r.upper() if t[p].isupper() else r) + t[p + 1:]
    else:
        t = t[:p] + t[p + 1] + t[p] + t[p + 2:]
    toks[i] = t
    return " ".join(toks)


def cyrillic(s):
    out, i, low = [], 0, s.lower()
    while i < len(low):
        for k in (4, 2, 1):
            if low[i:i + k] in CYR:
                out.append(CYR[low[i:i + k]])
                i += k
                break
        else:
            out.append(low[i])
            i += 1
    return "".join(out)


def main():
    data, out = sys.argv[1], sys.argv[2]
    maxk = 400
    if "--max-per-kind" in sys.argv:
        maxk = int(sys.argv[sys.argv.index("--max-per-kind") + 1])
    rng = random.Random(SEED)
    sdn = read(f"{data}/sdn.csv")
    alts = {}
    for r in read(f"{data}/alt.csv"):
        alts.setdefault(r[0].strip(), []).append((clean(r[2]).lower(), clean(r[3])))
    ents = []
    for r in sdn:
        typ = clean(r[2]).lower()
        schema = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}.get(typ, "Organization")
        ents.append((f"ofac-{r[0].strip()}", clean(r[1]), schema, r[3]))
    persons = [e for e in ents if e[2] == "Person" and e[1].count(",") == 1]
    orgs = [e for e in ents if e[2] == "Organization"]
    rows = []

    def add(kind, label, q, listed, schema, eid):
        if q and listed and q.strip() and q.strip().lower() != "none":
            rows.append((q.strip(), listed, schema, kind, label, eid))

    def sample(pop, n):
        pop = list(pop)
        rng.shuffle(pop)
        return pop[:n]

    per = {k: 0 for k in ["accents", "typo", "transposition", "dropped_maternal", "surname_first",
                          "nickname_only", "with_nickname", "transliteration", "cyrillic", "legal_form",
                          "case_punct"]}
    for eid, name, schema, prog in sample(persons, len(persons)):
        nat = natural(name)
        sur, given = [x.strip() for x in name.split(",")]
        if per["accents"] < maxk:
            toks = nat.split(" ")
            acc = [ACCENTS.get(t.lower()) for t in toks]
            if any(acc):
                q = " ".join((a.title() if a else t) for t, a in zip(toks, acc))
                add("accents", 1, q, name, schema, eid); per["accents"] += 1
        for how in ("typo", "transposition"):
            if per[how] < maxk:
                q = mutate_token(nat, rng, how)
                if q: add(how, 1, q, name, schema, eid); per[how] += 1
        st = sur.split(" ")
        if per["dropped_maternal"] < maxk and len(st) == 2 and "SDNT" in prog.upper() + "SDNTK":
            add("dropped_maternal", 1, f"{given} {st[0].title()}", name, schema, eid); per["dropped_maternal"] += 1
        if per["surname_first"] < maxk:
            add("surname_first", 1, f"{sur.title()} {given}", name, schema, eid); per["surname_first"] += 1
        low = nat.lower()
        if per["transliteration"] < maxk:
            subs = [(a, b) for a, b in TRANSLIT if a in low]
            if subs:
                a, b = rng.choice(subs)
                add("transliteration", 1, low.replace(a, b, 1).title(), name, schema, eid); per["transliteration"] += 1
        if per["cyrillic"] < maxk and any(p in prog.upper() for p in ("RUSSIA", "UKRAINE", "CYBER", "BELARUS")):
            add("cyrillic", 1, cyrillic(nat), name, schema, eid); per["cyrillic"] += 1
        if per["case_punct"] < maxk:
            add("case_punct", 1, re.sub(r"[^a-z0-9 ]", "", name.lower()), name, schema, eid); per["case_punct"] += 1
        for typ, alt in alts.get(eid.split("-")[1], []):
            nt = len(tokens(alt))
            if typ == "aka" and 1 <= nt <= 2 and not set(tokens(alt)) & set(tokens(name)):
                if per["nickname_only"] < maxk:
                    nick = alt.title()
                    add("nickname_only", 1, f'"{nick}"', alt, schema, eid); per["nickname_only"] += 1
                if per["with_nickname"] < maxk:
                    add("with_nickname", 1, f"{nat} alias {alt.title()}", name, schema, eid); per["with_nickname"] += 1
                break
    for eid, name, schema, prog in sample(orgs, len(orgs)):
        if per["legal_form"] >= maxk:
            break
        for pat, reps in LEGAL_VARIANTS:
            if re.search(pat, name, flags=re.I):
                q = re.sub(pat, rng.choice(reps), name, count=1, flags=re.I)
                q = re.sub(r"\s+", " ", q).strip(" ,")
                if q and q != name and tokens(q):
                    add("legal_form", 1, q, name, "Company", eid); per["legal_form"] += 1
                break
    # hard negatives: listed persons sharing the paternal surname, with other given names
    by_sur = {}
    for e in persons:
        by_sur.setdefault(e[1].split(",")[0].split(" ")[0].upper(), []).append(e)
    n = 0
    for sur, group in sample(by_sur.items(), len(by_sur)):
        if len(group) < 2 or n >= 2 * maxk:
            continue
        a, b = rng.sample(group, 2)
        ta = set(tokens(a[1])); tb = set(tokens(b[1]))
        if ta <= tb or tb <= ta:
            continue
        ga, gb = a[1].split(",")[1].strip().lower(), b[1].split(",")[1].strip().lower()
        if ga.split(" ")[0] == gb.split(" ")[0]:
            continue  # same first given name and surname: possibly the same family/person
        add("same_surname", 0, natural(a[1]), b[1], "Person", b[0]); n += 1
    # common names sharing one surname with a listed person
    n = 0
    for eid, name, schema, prog in sample(persons, len(persons)):
        if n >= maxk:
            break
        st = name.split(",")[0].strip().split(" ")
        if not st or not st[0].isalpha():
            continue
        given = rng.choice(COMMON_GIVEN)
        if given.lower() in name.lower():
            continue
        q = f"{given} {st[0].title()} {rng.choice(COMMON_SUR)}"
        if set(tokens(q)) <= set(tokens(name)):
            continue
        add("common_name", 0, q, name, "Person", eid); n += 1
    # companies with the same legal form and one shared word
    words = {}
    for e in orgs:
        for t in set(tokens(e[1])):
            if len(t) > 3:
                words.setdefault(t, []).append(e)
    n = 0
    for t, group in sample(words.items(), len(words)):
        if n >= maxk or len(group) < 2:
            continue
        a, b = rng.sample(group, 2)
        if set(tokens(a[1])) <= set(tokens(b[1])) or set(tokens(b[1])) <= set(tokens(a[1])):
            continue
        add("shared_word_org", 0, a[1], b[1], "Organization", b[0]); n += 1
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["name1", "name2", "schema", "kind", "label", "entity_id"])
        w.writerows(rows)
    print(f"{len(rows)} pairs written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
