#!/usr/bin/env python3
"""Generate N FtM Person records of about N/3 persons, each spelled three
ways with one date of birth ("Susan I. Lopez" / "LOPEZ, SUSAN I." /
"SUSAN LOPEZ"), for the sameas benchmark (bench/sameas/run.sh). Every
K-th person is spelled like a designated person of data/ofac (its first
K-th person's first spelling is a designation (topics "sanction") and its
second an alias sharing no name with it, which the benchmark joins by a
judgement, so a screening of the alias hits by resolution only. usage: gen.py N SEED OUT.jsonl (and OUT.jsonl.names: per designated
person, its alias, the alias's record key and the designation's, tab-separated)"""

import json, random, sys

n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
K = 100   # one person in K is designated
rng = random.Random(seed)
FIRST = ["Susan", "Juan", "Maria", "Jose", "Luis", "Ana", "Carlos", "Rosa", "Pedro", "Laura", "Miguel", "Elena",
         "Jorge", "Sofia", "Raul", "Teresa", "Hector", "Lucia", "Ramon", "Irma", "David", "Karen", "Oscar", "Paula"]
LAST = ["Lopez", "Garcia", "Martinez", "Hernandez", "Gonzalez", "Perez", "Sanchez", "Ramirez", "Torres", "Flores",
        "Rivera", "Gomez", "Diaz", "Reyes", "Cruz", "Morales", "Ortiz", "Gutierrez", "Chavez", "Ramos", "Mendoza",
        "Ruiz", "Alvarez", "Castillo", "Jimenez", "Vargas", "Romero", "Herrera", "Medina", "Aguilar", "Vega", "Salas"]
NICK = ["El Flaco", "El Guero", "La Guera", "El Chapo", "El Mencho", "El Gordo", "El Tuerto", "La Flaca"]
with open(out, "w") as f, open(out + ".names", "w") as q:
    for p in range(n // 3 + 1):
        first, last, last2 = rng.choice(FIRST), rng.choice(LAST), rng.choice(LAST)
        mid = chr(ord("A") + rng.randrange(26))
        dob = f"{rng.randrange(1950, 2000)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        tag = f"{p:06d}"   # a unique token: persons with the same name are different people
        names = [f"{first} {mid}. {last} {last2} {tag}", f"{last.upper()} {last2.upper()} {tag}, {first.upper()} {mid}.",
                 f"{first} {last} {last2} {tag}"]
        for k, name in enumerate(names):
            if p * 3 + k >= n:
                break
            e = {"id": f"p{p}-{k}", "schema": "Person", "properties": {"name": [name], "birthDate": [dob]}}
            e["properties"]["idNumber"] = [f"CURP{tag}"]   # one identifier per person: resolution's qualifier
            if k == 1 and p % K == 0:   # a designated person's alias shares no name token with the designation
                name = f"{rng.choice(NICK)} {tag}"
                e["properties"]["name"] = [name]
            if k == 0 and p % K == 0:
                e["properties"]["topics"] = ["sanction"]
            elif k == 1 and p % K == 0:
                q.write(f"{name}\tentity:p{p}-1\tentity:p{p}-0\n")   # alias, its record, the designation
            f.write(json.dumps(e) + "\n")
