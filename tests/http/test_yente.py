"""yente parity: every /match parameter changes the result as documented,
/search ranks by relevance with facets and paging, /entities/{id} nests
what the reader may see, /catalog counts for the reader, /algorithms lists
the features with their weights. Every response is also checked against
docs/openapi.yaml (apitest.Client), whose yente schemata follow yente's
published shapes (MatchResponse, SearchResponse, EntityResponse,
DataCatalogModel, AlgorithmResponse); the shape checks below name the
members a yente client reads."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from apitest import Client, Spec, cli, eq, finish, ok, seed_users, test_store  # noqa: E402
from server import Server  # noqa: E402

SRC = os.environ.get("PUENTE_SRC", ".")
TMP = os.environ["TEST_TMP"]
DB = test_store(os.path.join(TMP, "yente.db"))
spec = Spec(os.path.join(SRC, "docs/openapi.yaml"))

if "GET /catalog" not in cli("serve", "--list-routes")[1].splitlines():
    ok(False, "the yente routes are not registered")
    finish()

tok = seed_users(DB, [("dea.an", "DEA", "analyst"), ("fgr.an", "FGR", "analyst")])


def person(rid, name, ds, topics, country, marking="PUBLIC", **props):
    p = {"name": [name], "topics": topics, "nationality": [country]}
    p.update(props)
    return {"id": rid, "schema": "Person", "properties": p, "datasets": ds, "owner": "DEA", "marking": marking}


RECS = [
    person("sdn-guzman-loera", "Joaquín Archivaldo Guzmán Loera", ["us_ofac_sdn"], ["sanction", "crime"], "mx",
           birthDate=["1957-04-04"], alias=["El Chapo"]),
    person("sdn-guzman-salazar", "Iván Archivaldo Guzmán Salazar", ["us_ofac_sdn"], ["sanction"], "mx"),
    person("sdn-guzman-lopez", "Ovidio Guzmán López", ["us_ofac_sdn"], ["sanction"], "mx"),
    # first in id order: the old substring search listed it first
    person("a-zambada", "Ismael Zambada García", ["us_ofac_sdn"], ["sanction"], "mx", alias=["El Mayo"]),
    person("co-guzman-ruiz", "Hernando Guzmán Ruiz", ["co_wanted"], ["wanted"], "co"),
    # an OFAC remark kept in notes, with a crypto address (watchman parity)
    person("sdn-cyber", "Artem Cryptovich", ["us_ofac_sdn"], ["sanction"], "ru",
           notes=["DOB 26 Dec 1992; Digital Currency Address - ETH 0x901bb9583b24d97e995513c6778dc6888ab6870e; "
                  "alt. Digital Currency Address - XBT 12udabs2TkX7NXCSj6KpqXfakjE52ZPLhz"]),
    {"id": "uif-transportes", "schema": "Company", "properties": {"name": ["Transportes Guzmán S.A. de C.V."],
     "topics": ["sanction"], "jurisdiction": ["mx"]}, "datasets": ["mx_uif_blocked"], "owner": "DEA", "marking": "PUBLIC"},
    # DEA's own: FGR may not see them (AGENCY-ONLY)
    person("dea-guzman-secret", "Guzmán Secreto Informante", ["dea_private"], ["crime"], "us", marking="AGENCY-ONLY"),
    {"id": "dea-own-hidden", "schema": "UnknownLink", "properties": {"subject": ["sdn-guzman-loera"],
     "object": ["uif-transportes"], "role": ["owner (60 %)"]}, "datasets": ["dea_private"], "owner": "DEA",
     "marking": "AGENCY-ONLY"},
    {"id": "sanc-guzman-loera", "schema": "Sanction", "properties": {"entity": ["sdn-guzman-loera"],
     "authority": ["OFAC"], "program": ["SDNTK"]}, "datasets": ["us_ofac_sdn"], "owner": "DEA", "marking": "PUBLIC"},
    {"id": "fam-guzman", "schema": "UnknownLink", "properties": {"subject": ["sdn-guzman-loera"],
     "object": ["sdn-guzman-salazar"], "role": ["son"]}, "datasets": ["us_ofac_sdn"], "owner": "DEA",
     "marking": "PUBLIC"},
]


def import_lines(recs, fname):
    path = os.path.join(TMP, fname)
    with open(path, "w") as f:
        f.write("\n".join(json.dumps(r) for r in recs) + "\n")
    return cli("import", "ftm", path, "--db", DB)[0]


eq(import_lines(RECS, "yente.jsonl"), 0, "import the fixture")
time.sleep(1.2)  # the timestamps have whole seconds: the next change is later
eq(import_lines([dict(RECS[2], properties=dict(RECS[2]["properties"], alias=["El Raton"]))], "later.jsonl"), 0,
   "Ovidio Guzmán López changes later")

srv = Server(DB, "--threads", "2")
c = Client(srv.port, spec)
DEA, FGR = tok["dea.an"], tok["fgr.an"]


def match(token, name, schema="Person", ds="default", **query):
    q = {"schema": schema, "properties": {"name": [name]}}
    # repeated parameters (exclude_entity_ids=a&exclude_entity_ids=b) as yente clients send them
    pairs = [(k, x) for k, v in query.items() for x in (v if isinstance(v, list) else [v])]
    s, js, raw = c.req("POST", f"/match/{ds}", token=token, body={"queries": {"q": q}}, query=pairs or None)
    return s, js, raw


def mids(js):
    return [r["id"] for r in js["responses"]["q"]["results"]] if js and "responses" in js else []


# ---- POST /match: shape and every parameter ----
s, js, _ = match(DEA, "Joaquin Guzman Loera")
r0 = js["responses"]["q"] if s == 200 else {}
ok(s == 200 and mids(js)[:1] == ["sdn-guzman-loera"], "match finds Joaquín Guzmán Loera first", str(js)[:300])
top = r0["results"][0] if r0.get("results") else {}
ok(all(k in top for k in ("id", "caption", "schema", "properties", "datasets", "referents", "target", "first_seen",
                          "last_seen", "score", "match", "features", "explanations")),
   "a match result has every member of yente's ScoredEntityResponse", str(top.keys()))
ok(r0.get("status") == 200 and set(r0.get("total", {})) == {"value", "relation"} and r0.get("query"),
   "a response has status, total {value, relation} and the query")
ok(js.get("limit") == 5 and js.get("matcher", {}).get("name") == "puente-v1", "limit (default 5) and the matcher")

base = mids(match(DEA, "Guzman", threshold="0.3", cutoff="0.3")[1])
ok(len(base) >= 3, "a one-token query with a low cutoff finds several Guzmáns", str(base))
s, js, _ = match(DEA, "Guzman", threshold="0.3", cutoff="0.3", exclude_entity_ids=base[0])
ok(s == 200 and base[0] not in mids(js) and set(mids(js)) == set(base[1:]) | (set(mids(js)) - set(base)),
   "exclude_entity_ids leaves the excluded entity out", str(mids(js)))
s, js, _ = match(DEA, "Guzman", threshold="0.3", cutoff="0.3", exclude_entity_ids=[base[0], base[1]], limit="1")
ok(s == 200 and len(mids(js)) == 1 and mids(js)[0] not in base[:2],
   "repeated exclude_entity_ids exclude each, and limit=1 still returns one result", str(mids(js)))

s, js, _ = match(DEA, "Guzman", threshold="0.3", cutoff="0.3", topics="crime")
got = set(mids(js))
ok(s == 200 and "sdn-guzman-loera" in got and not got & {"sdn-guzman-salazar", "sdn-guzman-lopez", "co-guzman-ruiz"},
   "topics=crime keeps only entities with that topic", str(got))
s, js, _ = match(DEA, "Guzman", threshold="0.3", cutoff="0.3", topics=["wanted", "crime"])
got = set(mids(js))
ok(s == 200 and {"co-guzman-ruiz", "sdn-guzman-loera"} <= got and "sdn-guzman-salazar" not in got,
   "topics is any of", str(got))
s, js, _ = match(DEA, "Guzman", threshold="0.3", cutoff="0.3", include_dataset="co_wanted")
eq(mids(js), ["co-guzman-ruiz"], "include_dataset keeps that dataset only")
s, js, _ = match(DEA, "Guzman", threshold="0.3", cutoff="0.3", datasets="co_wanted")
eq(mids(js), ["co-guzman-ruiz"], "datasets= is include_dataset")
# programs (a Puente extension for the search page): any of the sanctions programs
s, js, _ = match(DEA, "Guzman", threshold="0.3", cutoff="0.3", programs="SDNTK")
ok(s == 200 and mids(js) == ["sdn-guzman-loera"], "programs=SDNTK keeps the one under that program", str(mids(js)))
s, js, _ = match(DEA, "Guzman", threshold="0.3", cutoff="0.3", programs=["IRAN", "CYBER2"])
ok(s == 200 and mids(js) == [], "programs nobody is under keep nothing", str(mids(js)))
# the default scope is the designation lists (docs/lists.md): without the
# SDN dataset no Guzmán is designated; with topics=wanted the wanted one is
s, js, _ = match(DEA, "Guzman", threshold="0.3", cutoff="0.3", exclude_dataset="us_ofac_sdn")
got = set(mids(js))
ok(s == 200 and not got & {"sdn-guzman-loera", "sdn-guzman-salazar", "sdn-guzman-lopez"},
   "exclude_dataset leaves the dataset out", str(got))
s, js, _ = match(DEA, "Guzman", threshold="0.3", cutoff="0.3", exclude_dataset="us_ofac_sdn", topics="wanted")
got = set(mids(js))
ok(s == 200 and got == {"co-guzman-ruiz"}, "exclude_dataset with topics=wanted: only the wanted Guzmán", str(got))
s, js, _ = match(DEA, "Transportes Guzman", schema="LegalEntity", threshold="0.3", cutoff="0.3")
ok("uif-transportes" in mids(js), "the company matches without a schema filter", str(mids(js)))
s, js, _ = match(DEA, "Transportes Guzman", schema="LegalEntity", threshold="0.3", cutoff="0.3",
                 exclude_schema="Company")
ok(s == 200 and "uif-transportes" not in mids(js), "exclude_schema=Company leaves the company out", str(mids(js)))

s, js, _ = c.req("GET", "/entities/sdn-guzman-lopez", token=DEA, query={"nested": "false"})
later = js.get("last_change") if s == 200 else None
s, js, _ = c.req("GET", "/entities/sdn-guzman-salazar", token=DEA, query={"nested": "false"})
earlier = js.get("last_change") if s == 200 else None
ok(later and earlier and later > earlier, "the later change has a later last_change", f"{earlier} {later}")
s, js, _ = match(DEA, "Guzman", threshold="0.3", cutoff="0.3", changed_since=later)
eq(mids(js), ["sdn-guzman-lopez"], "changed_since keeps the entities changed at or after it")
s, js, _ = match(DEA, "Guzman", threshold="0.3", cutoff="0.3", changed_since="2999-01-01")
eq(mids(js), [], "changed_since in the future keeps nothing")
s, js, _ = match(DEA, "Guzman", changed_since="last tuesday")
ok(s == 400 and js["error"]["field"] == "changed_since", "a changed_since that is no date is 400")

s, js, _ = match(DEA, "Joaquin Guzman Loera", threshold="0.99")
res = js["responses"]["q"]["results"] if s == 200 else []
ok(res and res[0]["id"] == "sdn-guzman-loera" and not any(r["match"] for r in res),
   "threshold decides match (returned, not a match at 0.99)", str(res)[:200])
s, js, _ = match(DEA, "Joaquin Guzman Loera", cutoff="0.99")
eq(mids(js), [], "cutoff drops the results below it")
s, js, _ = match(DEA, "Joaquin Guzman Loera", algorithm="logic-v2")
eq(s, 200, "yente's algorithm names are accepted")
s, js, _ = match(DEA, "Joaquin Guzman Loera", algorithm="nonsense")
ok(s == 400 and js["error"]["field"] == "algorithm", "an unknown algorithm is 400")
s, js, _ = match(DEA, "Guzman", exclude_entity_ids=[f"x{i}" for i in range(51)])
eq(s, 413, "more than 50 exclude_entity_ids are refused")
# the filters never widen the reader's view
s, js, raw = match(FGR, "Guzman Secreto Informante", threshold="0.3", cutoff="0.3", topics="crime")
ok(s == 200 and b"dea-guzman-secret" not in raw, "FGR never gets DEA's AGENCY-ONLY record", raw[:200])

# crypto addresses: a CryptoWallet query by publicKey is a 1.0 match
s, js, _ = c.req("POST", "/match/default", token=FGR, body={"queries": {
    "w": {"schema": "CryptoWallet", "properties": {"publicKey": ["0x901BB9583B24D97E995513C6778DC6888AB6870E"]}},
    "n": {"schema": "Person", "properties": {"name": ["Artem Cryptovich"], "publicKey": ["12udabs2TkX7NXCSj6KpqXfakjE52ZPLhz"]}},
    "x": {"schema": "CryptoWallet", "properties": {"publicKey": ["0x901bb9583b24d97e995513c6778dc6888ab6870f"]}}}})
rw = js["responses"]["w"]["results"] if s == 200 else []
ok(rw and rw[0]["id"] == "sdn-cyber" and rw[0]["score"] == 1.0 and rw[0]["match"], "a listed ETH address alone is a 1.0 match", str(rw)[:200])
rn = js["responses"]["n"]["results"] if s == 200 else []
ok(rn and rn[0]["id"] == "sdn-cyber" and rn[0]["score"] == 1.0, "name plus XBT address: 1.0", str(rn)[:200])
eq(js["responses"]["x"]["results"] if s == 200 else None, [], "an address one character off finds nothing")

# ---- GET /search: relevance, facets, paging ----
s, js, _ = c.req("GET", "/search/default", token=DEA, query={"q": "joaquin guzman"})
ids = [r["id"] for r in js.get("results", [])]
ok(s == 200 and ids[:1] == ["sdn-guzman-loera"], "'joaquin guzman' finds Joaquín Guzmán Loera first", str(ids))
s, js, _ = c.req("GET", "/search/default", token=DEA, query={"q": "guzman", "limit": "50"})
ids = [r["id"] for r in js.get("results", [])]
guz = {"sdn-guzman-loera", "sdn-guzman-salazar", "sdn-guzman-lopez", "co-guzman-ruiz", "dea-guzman-secret"}
first = ids[:len(guz & set(ids))]
ok(s == 200 and guz <= set(ids) and set(first) <= guz | {"uif-transportes"},
   "'guzman' lists the Guzmáns first", str(ids))
ok("a-zambada" not in ids[:len(guz)], "Zambada is not listed before the Guzmáns", str(ids))
ok(set(js.get("facets", {})) == {"countries", "topics", "datasets", "schema"}, "facets: countries, topics, datasets, schema")


def facet(js, name):
    return {v["name"]: v["count"] for v in js["facets"][name]["values"]}


ok(facet(js, "countries").get("us") == 1 and facet(js, "datasets").get("dea_private") == 1,
   "DEA's facets count its own record", str(js["facets"])[:300])
total_dea = js["total"]["value"]
s, jf, raw = c.req("GET", "/search/default", token=FGR, query={"q": "guzman", "limit": "50"})
ok(s == 200 and "us" not in facet(jf, "countries") and "dea_private" not in facet(jf, "datasets")
   and b"dea-guzman-secret" not in raw and jf["total"]["value"] == total_dea - 1,
   "FGR's facets and total count only what FGR may see", str(jf.get("facets"))[:300])
ok(facet(jf, "countries").get("mx") == sum(1 for r in jf["results"] if "mx" in r["properties"].get("nationality", [])
                                          + r["properties"].get("jurisdiction", [])),
   "the country facet counts the results", str(facet(jf, "countries")))
s, jp, _ = c.req("GET", "/search/default", token=FGR, query={"q": "guzman", "limit": "2", "offset": "1"})
ok(s == 200 and [r["id"] for r in jp["results"]] == [r["id"] for r in jf["results"]][1:3]
   and jp["total"] == jf["total"] and jp["limit"] == 2 and jp["offset"] == 1, "limit/offset page the same ranking")
s, js, _ = c.req("GET", "/search/default", token=DEA, query={"q": "guzman", "schema": "Company"})
eq([r["id"] for r in js.get("results", [])], ["uif-transportes"], "schema filters /search")
s, js, _ = c.req("GET", "/search/default", token=DEA, query={"q": "guzman", "topics": "wanted"})
eq([r["id"] for r in js.get("results", [])], ["co-guzman-ruiz"], "topics filters /search")
s, js, _ = c.req("GET", "/search/default", token=DEA, query={"q": "guzman", "countries": "co"})
eq([r["id"] for r in js.get("results", [])], ["co-guzman-ruiz"], "countries filters /search")
s, js, _ = c.req("GET", "/search/us_ofac_sdn", token=DEA, query={"q": "guzman"})
ids = {r["id"] for r in js.get("results", [])}
ok(s == 200 and ids and ids <= {"sdn-guzman-loera", "sdn-guzman-salazar", "sdn-guzman-lopez", "a-zambada", "sdn-cyber"},
   "the path's dataset filters /search", str(ids))
s, js, _ = c.req("GET", "/search/dea_private", token=FGR, query={"q": "guzman"})
eq(s, 404, "a dataset of hidden records does not exist for FGR")

# ---- GET /entities/{id}: nesting as far as the reader may see ----
s, js, raw = c.req("GET", "/entities/sdn-guzman-loera", token=DEA)
props = js.get("properties", {}) if s == 200 else {}
sanc = props.get("sanctions", [])
ok(s == 200 and sanc and sanc[0]["id"] == "sanc-guzman-loera" and sanc[0]["properties"]["entity"] == ["sdn-guzman-loera"],
   "the Sanction naming the entity is nested under 'sanctions'", str(props)[:300])
links = {x["id"]: x for x in props.get("unknownLinkSubject", [])}
fam = links.get("fam-guzman", {}).get("properties", {})
rel = fam.get("object", [])
ok(rel and isinstance(rel[0], dict) and rel[0]["id"] == "sdn-guzman-salazar" and fam.get("subject") == ["sdn-guzman-loera"],
   "a link is nested under its reverse name with its other end (the entity itself stays an id)", str(links)[:300])
own = links.get("dea-own-hidden", {}).get("properties", {})
ok(own and own["object"][0]["id"] == "uif-transportes", "DEA sees its own link record nested", str(links)[:300])
s, js, raw = c.req("GET", "/entities/sdn-guzman-loera", token=FGR)
fl = [x["id"] for x in js["properties"].get("unknownLinkSubject", [])] if s == 200 else []
ok(s == 200 and fl == ["fam-guzman"] and b"dea-own-hidden" not in raw and js["properties"].get("sanctions"),
   "FGR gets the entity without DEA's hidden link", raw[:300])
s, js, _ = c.req("GET", "/entities/sdn-guzman-loera", token=DEA, query={"nested": "false"})
ok(s == 200 and "sanctions" not in js["properties"], "nested=false is flat")
s, js, _ = c.req("GET", "/entities/dea-guzman-secret", token=FGR)
eq(s, 404, "a hidden entity is 404 like an absent one")

# ---- GET /catalog ----
s, js, _ = c.req("GET", "/catalog", token=DEA)
cat = {d["name"]: d for d in js.get("datasets", [])}
ok(s == 200 and cat.get("us_ofac_sdn", {}).get("entity_count") == 7 and "dea_private" in cat
   and cat["us_ofac_sdn"]["title"].startswith("US OFAC"), "DEA's catalogue counts every dataset", str(cat)[:300])
ok("default" in cat and set(cat["default"]["children"]) == set(cat) - {"default"}, "the default collection has every dataset")
s, js, _ = c.req("GET", "/catalog", token=FGR)
cat = {d["name"]: d for d in js.get("datasets", [])}
ok(s == 200 and "dea_private" not in cat and cat.get("us_ofac_sdn", {}).get("entity_count") == 7
   and "dea_private" not in js["current"], "FGR's catalogue has only what FGR may see", str(cat)[:300])

# ---- GET /algorithms ----
s, js, _ = c.req("GET", "/algorithms", token=FGR)
algo = js["algorithms"][0] if s == 200 else {}
f = algo.get("features", {})
ok(algo.get("name") == js.get("default") == "puente-v1" and f.get("identifier_match", {}).get("coefficient") == 0.1
   and f.get("birth_year_mismatch", {}).get("coefficient") == -0.15, "the algorithm with its feature weights", str(f)[:300])

srv.stop()
finish()
