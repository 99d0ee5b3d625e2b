#!/usr/bin/env python3
"""Generate N synthetic FtM entities as JSON lines (deterministic, seeded).

Mix (like a sanctions/PEP dataset): 50% Person, 20% Organization, 10% Company,
10% Sanction, 10% Address. Persons carry 1-3 aliases, a birth date,
nationality, an id number; organisations a registration number and country.
Usage: gen_ftm.py N [SEED] > out.jsonl
"""
import json
import random
import sys

GIVEN = ["Miguel", "Ana", "José", "María", "Luis", "Carmen", "Juan", "Rosa", "Carlos", "Lucía", "Omar",
         "Fatima", "Ivan", "Olga", "Wei", "Mei", "John", "Mary", "Ahmed", "Leila", "Rafael", "Ximena"]
FAMILY = ["Treviño", "Morales", "Guzmán", "Loera", "Zambada", "García", "Caro", "Quintero", "Fonseca",
          "Carrillo", "Fuentes", "Arellano", "Félix", "Osiel", "Cárdenas", "Petrov", "Chen", "Smith",
          "Haddad", "Nasser", "Ortega", "Salazar", "Beltrán", "Leyva"]
ORG = ["Comercializadora", "Inmobiliaria", "Transportes", "Servicios", "Grupo", "Importadora",
       "Agroindustrias", "Constructora", "Farmacéutica", "Trading", "Holding", "Logistics"]
SUFFIX = ["S.A. DE C.V.", "S. DE R.L. DE C.V.", "LLC", "LTD", "S.A.", "GmbH", "SAPI DE CV"]
COUNTRIES = ["mx", "us", "co", "ve", "gt", "cn", "ru", "ir", "ae", "pa", "es", "de"]


def person(i, r):
    g, f1, f2 = r.choice(GIVEN), r.choice(FAMILY), r.choice(FAMILY)
    props = {"name": [f"{g} {f1} {f2}"], "firstName": [g], "lastName": [f"{f1} {f2}"],
             "birthDate": [f"{r.randint(1940, 2000)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"],
             "nationality": [r.choice(COUNTRIES)], "idNumber": [f"ID{r.randint(10**8, 10**9)}"],
             "topics": ["sanction"]}
    props["alias"] = [f"{r.choice(GIVEN)} {r.choice(FAMILY)}" for _ in range(r.randint(1, 3))]
    return "Person", props


def org(i, r, schema):
    name = f"{r.choice(ORG)} {r.choice(FAMILY)} {r.choice(SUFFIX)}"
    props = {"name": [name], "country": [r.choice(COUNTRIES)],
             "registrationNumber": [f"RN{r.randint(10**6, 10**7)}"], "topics": ["sanction"]}
    if r.random() < 0.5:
        props["alias"] = [f"{r.choice(ORG)} {r.choice(FAMILY)}"]
    return schema, props


def main():
    n = int(sys.argv[1])
    r = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 42)
    out = sys.stdout
    for i in range(n):
        k = i % 10
        if k < 5:
            schema, props = person(i, r)
        elif k < 7:
            schema, props = org(i, r, "Organization")
        elif k < 8:
            schema, props = org(i, r, "Company")
        elif k < 9:
            schema, props = "Sanction", {"entity": [f"gen-{i - 1}"], "program": ["SDNTK"],
                                         "authority": ["Office of Foreign Assets Control"]}
        else:
            schema, props = "Address", {"full": [f"Calle {r.randint(1, 999)}, Monterrey, Nuevo León"],
                                        "city": ["Monterrey"], "country": ["mx"]}
        out.write(json.dumps({"id": f"gen-{i}", "schema": schema, "properties": props,
                              "datasets": ["bench"]}, ensure_ascii=False))
        out.write("\n")


if __name__ == "__main__":
    main()
