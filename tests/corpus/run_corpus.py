#!/usr/bin/env python3
"""The shared bad-input corpus (issue #16, docs/input.md), run against EVERY
importer and reader command.

Each target below knows how to write a small VALID input of its format, with
placeholders for a text, a date, a number and an id; every case derives its
file from that sample by one change (a BOM, CRLF, ';' as delimiter, invalid
UTF-8, a 2 MB field, a duplicate record, a future / impossible / non-ISO date,
a negative number), or is a whole-file case (empty, header only, a directory,
a missing file, a read-only store). The expected exit code and message
fragment of every (target, case) pair are in expect.tsv; a row marked XFAIL
is a known gap (its comment names the issue and the branch that fixes it):
the driver reports it and does not fail on it, but it fails when an XFAIL
row unexpectedly passes, so the table is flipped when the fix lands.

Languages: a row whose CASE ends in "@es" (non_iso_date@es) runs the same
case in Spanish (PUENTE_LANG=es_MX.UTF-8, or --lang es for the targets in
FLAG_LANG: both ways must reach every command). Its FRAGMENT may name, after
" !", texts that must NOT appear (the English words of the same message), so
an untranslated message fails the row.

Usage: run_corpus.py [--list] [TARGET ...]   (PUENTE_BIN, PUENTE_SRC from meson)
"""
import os
import shutil
import subprocess
import sys
import tempfile

BIN = os.environ.get("PUENTE_BIN", "build/puente")
SRC = os.environ.get("PUENTE_SRC", ".")
HERE = os.path.dirname(os.path.abspath(__file__))
BIG = 2 * 1024 * 1024  # the 2 MB field

# ---- targets: a valid sample (header, rows) and how to run the command ----
# Placeholders: {text}, {date}, {num}, {id}. The LAST row is the one a case
# changes (so the bad record is always on line 3 of a file with a header).

T = {}


def target(name, kind, header, rows, run, defaults=None, needs_list=False, uses_store=True):
    d = dict(text="Lopez", date="1970-01-02", num="12", id="x1")
    d.update(defaults or {})
    T[name] = dict(kind=kind, header=header, rows=rows, run=run, defaults=d, needs_list=needs_list,
                   uses_store=uses_store)


def p(*args):
    return [BIN] + list(args)


# FtM entities: a Person with a birth date; ids are the duplicate key
target("import-ftm", "jsonl", None,
       ['{"id":"a0","schema":"Person","properties":{"name":["Ana Ruiz"],"birthDate":["1960-05-01"]}}',
        '{"id":"{id}","schema":"Person","properties":{"name":["{text}"],"birthDate":["{date}"],"country":["mx"]}}'],
       lambda f, db: p("import", "ftm", f, "--db", db))
# OFAC legacy sdn.csv (no header): DIR holds the case file as sdn.csv
target("import-ofac", "ofac", None,
       ['36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
        '{num},"{text} TRADING",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '],
       lambda f, db: p("import", "ofac", f, "--db", db), defaults=dict(num="173"))
target("screen", "csv", "id,name,birth_date,country",
       ["q0,Ana Ruiz,1960-05-01,mx", "{id},{text} Garcia,{date},mx"],
       lambda f, db: p("screen", f, "--db", db, "--format", "csv"), needs_list=True)
target("cargo-screen", "csv", "awb,hawb,description,weight_kg,departure_date,arrival_date,origin_country",
       ["172-1,H0,shoes,5,2026-01-02,2026-01-03,CN",
        "{id},H1,{text} shoes,{num},{date},2026-01-05,CN"],
       lambda f, db: p("cargo", "screen", f, "--db", db, "--owner", "CBP", "--marking", "SHARED"),
       defaults=dict(date="2026-01-04", id="172-9"))
target("trace-acquisitions", "csv", "manufacturer,serial,model,type,event,date,party,party_dob,ffl,state",
       ["GLOCK,S0,G17,pistol,MANUFACTURE,2020-01-10,,,,",
        "GLOCK,{id},{text},pistol,MANUFACTURE,{date},,,,"],
       lambda f, db: p("trace", "import", "acquisitions", f, "--db", db), defaults=dict(date="2020-01-11"))
target("trace-recoveries", "csv",
       "request_date,agency,crime_code,serial,manufacturer,type,possessor,recovery_date,recovery_state",
       ["2024-05-10,FGR,0999 HOMICIDE,ABC0,GLOCK,pistol,Mary Lawful,2024-05-01,Chihuahua",
        "2024-05-10,FGR,0999 HOMICIDE,{id},GLOCK,pistol,{text},{date},Chihuahua"],
       lambda f, db: p("trace", "import", "recoveries", f, "--db", db), defaults=dict(date="2024-05-02"))
target("ews-import", "csv", "report_id,date,place,source_agency,type,substances,quantity_g",
       ["R0,2023-06-05,MX-CHH,FGR,seizure-lab,fentanyl,1",
        "{id},{date},MX-CHH,FGR,seizure-lab,{text} fentanyl,{num}"],
       lambda f, db: p("ews", "import", f, "--db", db), defaults=dict(date="2023-06-06", text="x"))
# kinship: the PM genotypes of the dvi_example2 case (the other files from data/)
target("kinship-pm", "kin", "sample,sex,marker,allele1,allele2",
       ["V1,1,L1,1,1", "{text},1,L1,1,{num}"],
       lambda f, db: p("kinship", "pairwise", "--pedigrees", KIN + "/am_pedigrees.csv",
                       "--am", KIN + "/am_genotypes.csv", "--freqs", KIN + "/freqs.csv", "--pm", f),
       defaults=dict(num="2", text="V2"), uses_store=False)
KIN = os.path.join(SRC, "data/kinship/dvi_example2")
# designation lists (docs/lists.md): a national list through the generic CSV
# mapping, configured as a source and loaded as a version
LISTS_MAP = os.path.join(HERE, "lists_generic.map")
target("lists-generic", "csv", "id,name,birth_date,country",
       ["u0,Ana Ruiz,1960-05-01,mx", "{id},{text} Garcia,{date},mx"],
       lambda f, db: ["sh", "-c", '"$0" lists sources add g --format generic_csv --location "$1" --mapping "$2"'
                      ' --db "$3" >/dev/null && exec "$0" lists update --source g --db "$3"', BIN, f, LISTS_MAP, db])
# customer lists of ongoing monitoring (docs/monitor.md): id is the subject key
target("monitor-add", "csv", "id,name,birth_date,country",
       ["c0,Ana Ruiz,1960-05-01,mx", "{id},{text} Garcia,{date},mx"],
       lambda f, db: p("monitor", "add", "clientes", f, "--db", db))

CASES = ["valid", "empty", "header_only", "bom", "crlf", "semicolon", "invalid_utf8", "big_field",
         "duplicate", "future_date", "impossible_date", "non_iso_date", "negative_number", "directory",
         "missing_file", "readonly_store"]


def sample(t, **over):
    d = dict(T[t]["defaults"])
    d.update(over)
    rows = [r for r in T[t]["rows"]]
    last = rows[-1]
    for k, v in d.items():
        last = last.replace("{" + k + "}", v)
    rows[-1] = last
    lines = ([T[t]["header"]] if T[t]["header"] else []) + rows
    return lines


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def make_case(t, case, work):
    """The input path for (t, case), or None when the case does not apply."""
    kind = T[t]["kind"]
    enc = lambda lines: ("\n".join(lines) + "\n").encode("utf-8")
    f = os.path.join(work, "in.jsonl" if kind == "jsonl" else "in.csv")
    if case == "valid":
        data = enc(sample(t))
    elif case == "empty":
        data = b""
    elif case == "header_only":
        if not T[t]["header"]:
            return None
        data = enc([T[t]["header"]])
    elif case == "bom":
        data = b"\xef\xbb\xbf" + enc(sample(t))
    elif case == "crlf":
        data = enc(sample(t)).replace(b"\n", b"\r\n")
    elif case == "semicolon":
        if kind == "jsonl":
            return None
        data = enc([l.replace(",", ";") for l in sample(t)])
    elif case == "invalid_utf8":
        data = enc(sample(t, text="MARKER")).replace(b"MARKER", b"Lop\xffz")
    elif case == "big_field":
        data = enc(sample(t, text="a" * BIG))
    elif case == "duplicate":
        lines = sample(t)
        data = enc(lines + [lines[-1]])
    elif case in ("future_date", "impossible_date", "non_iso_date"):
        if "{date}" not in T[t]["rows"][-1]:
            return None
        v = {"future_date": "2099-01-01", "impossible_date": "1980-02-30", "non_iso_date": "18/11/1970"}[case]
        data = enc(sample(t, date=v))
    elif case == "negative_number":
        if "{num}" not in T[t]["rows"][-1]:
            return None
        data = enc(sample(t, num="-5"))
    elif case == "directory":
        d = os.path.join(work, "adir")
        os.makedirs(d, exist_ok=True)
        return d if kind != "ofac" else None
    elif case == "missing_file":
        return os.path.join(work, "no-such-file.csv")
    elif case == "readonly_store":
        if not T[t]["uses_store"]:
            return None
        data = enc(sample(t))
    else:
        raise SystemExit("unknown case " + case)
    write(f, data)
    if kind == "ofac":  # the importer reads a directory of four files
        d = os.path.join(work, "ofac")
        os.makedirs(d, exist_ok=True)
        shutil.move(f, os.path.join(d, "sdn.csv"))
        for n in ("alt.csv", "add.csv"):
            write(os.path.join(d, n), b"")
        return d
    return f


def load_expect():
    rows = {}
    with open(os.path.join(HERE, "expect.tsv"), encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < 4:
                raise SystemExit("expect.tsv:%d: expected TARGET CASE RC FRAGMENT [XFAIL comment]" % ln)
            t, c, rc, frag = parts[:4]
            note = parts[4] if len(parts) > 4 else ""
            rows[(t, c)] = (set(int(x) for x in rc.split("|")), frag, note)
    return rows


def base_store(work, needs_list):
    db = os.path.join(work, "s.db")
    if needs_list:
        lst = os.path.join(work, "list.jsonl")
        write(lst, b'{"id":"l1","schema":"Person","properties":{"name":["Lopez Garcia Juan"],"topics":["sanction"]},'
                   b'"datasets":["t"]}\n')
        subprocess.run(p("import", "ftm", lst, "--db", db), capture_output=True)
    else:
        subprocess.run(p("stats", "--db", db), capture_output=True)  # may not create: fine
    return db


# targets run with `puente --lang es ...` in their Spanish rows; the others
# with PUENTE_LANG=es_MX.UTF-8
FLAG_LANG = {"import-ofac", "cargo-screen", "ews-import", "kinship-pm"}


def run_one(t, case, work):
    lang = None
    if case.endswith("@es"):
        case, lang = case[:-3], "es"
    path = make_case(t, case, work)
    if path is None:
        return None
    db = base_store(work, T[t]["needs_list"])
    cmd = T[t]["run"](path, db)
    pre = []
    if case == "readonly_store":
        # make the store exist, then run as an unprivileged user (root ignores modes)
        if not os.path.exists(db):
            subprocess.run(p("import", "ftm", "/dev/null", "--db", db), capture_output=True)
        os.chmod(db, 0o444)
        if os.geteuid() == 0 and shutil.which("setpriv"):
            os.chmod(work, 0o755)
            for x in os.listdir(work):
                os.chmod(os.path.join(work, x), 0o755 if os.path.isdir(os.path.join(work, x)) else 0o444)
            pre = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    env = dict(os.environ)
    env.pop("PUENTE_LANG", None)
    env["LANG"] = "C.UTF-8"
    if lang and t in FLAG_LANG:
        cmd = cmd[:1] + ["--lang", lang] + cmd[1:]
    elif lang:
        env["PUENTE_LANG"] = "es_MX.UTF-8"
    r = subprocess.run(pre + cmd, capture_output=True, timeout=120, cwd=work, env=env)
    out = (r.stdout + r.stderr).decode("utf-8", "replace")
    return r.returncode, out


def main(argv):
    if "--list" in argv:
        for t in T:
            print(t)
        return 0
    want = [a for a in argv if not a.startswith("-")] or list(T)
    expect = load_expect()
    failed = passed = xfailed = 0
    for t in want:
        spanish = [c for (tt, c) in expect if tt == t and c.endswith("@es")]
        for case in CASES + spanish:
            work = tempfile.mkdtemp(prefix="corpus-")
            try:
                got = run_one(t, case, work)
            finally:
                subprocess.run(["chmod", "-R", "u+rwX", work])
                shutil.rmtree(work, ignore_errors=True)
            if got is None:
                continue
            rc, out = got
            key = (t, case)
            if key not in expect:
                print("not ok - %s %s: no row in expect.tsv (got exit %d: %s)" % (t, case, rc, out.strip()[:200]))
                failed += 1
                continue
            rcs, frag, note = expect[key]
            frag, *absent = frag.split(" !")
            ok = rc in rcs and frag.lower() in out.lower() and not any(a.lower() in out.lower() for a in absent)
            xfail = note.startswith("XFAIL")
            if ok and not xfail:
                passed += 1
                print("ok - %s %s (exit %d)" % (t, case, rc))
            elif not ok and xfail:
                xfailed += 1
                print("ok - %s %s # XFAIL %s (got exit %d: %s)" % (t, case, note[5:].strip(), rc,
                                                                    out.strip().replace("\n", " | ")[:160]))
            elif ok and xfail:
                failed += 1
                print("not ok - %s %s: passes now; flip its XFAIL row in expect.tsv" % (t, case))
            else:
                failed += 1
                print("not ok - %s %s: expected exit %s and '%s', got exit %d: %s" % (
                    t, case, "|".join(map(str, sorted(rcs))), frag, rc, out.strip().replace("\n", " | ")[:300]))
    print("%d passed, %d failed, %d expected failures (issue #16, integ-engines)" % (passed, failed, xfailed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
