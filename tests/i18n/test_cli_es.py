#!/usr/bin/env python3
"""Every command speaks Spanish when asked (issue #16; docs/web.md "Languages").

End to end through the CLI, for commands of every module, with the three ways
to choose the language (--lang es, PUENTE_LANG=es_MX.UTF-8, LANG=es_MX.UTF-8):
the output holds the catalogue's Spanish texts, and no English text of the
catalogue (a fragment of an English message that no Spanish text contains)
leaks through. An unsupported language (--lang fr, PUENTE_LANG=fr) is refused
with exit 2 by every registered command."""
import importlib.util
import os
import re
import subprocess
import sys
import tempfile

BIN = os.environ.get("PUENTE_BIN", "build/puente")
SRC = os.environ.get("PUENTE_SRC", ".")
failures = 0
checks = 0


def load_catalogue():
    path = os.path.join(SRC, "src", "i18n", "gen.py")
    code = open(path, encoding="utf-8").read().replace("\nmain()\n", "\n")
    spec = importlib.util.spec_from_loader("gen", loader=None)
    gen = importlib.util.module_from_spec(spec)
    exec(compile(code, path, "exec"), gen.__dict__)
    po = gen.load_po(os.path.join(SRC, "src", "i18n", "es.po"))
    tsv = gen.load(os.path.join(SRC, "src", "i18n", "messages.tsv"))
    return {en: es for en, (es, _) in po.items()}, {en: es for en, es, _ in tsv.values()}


FORMATS, KEYED = load_catalogue()
SPANISH = "\n".join(list(FORMATS.values()) + list(KEYED.values()))
CONV = re.compile(r"%[-+ #0-9.*']*(?:hh|h|ll|l|L|z|j|t)?[a-zA-Z%]|\{[a-z_]+\}")


def english_fragments():
    """Pieces of English messages long enough to be unambiguous (three words or
    more) and found in no Spanish text: seeing one in Spanish output is a leak."""
    out = set()
    for en in list(FORMATS) + list(KEYED):
        for piece in CONV.split(en):
            for line in piece.split("\n"):
                line = line.strip(" ;:,.()'\"")
                if len(line) >= 16 and len(re.findall(r"[A-Za-z]{2,}", line)) >= 3 and line not in SPANISH:
                    out.add(line)
    return out


LEAKS = english_fragments()


def check(cond, what, detail=""):
    global failures, checks
    checks += 1
    if cond:
        print("ok - " + what)
    else:
        failures += 1
        print("not ok - %s\n#   %s" % (what, detail.replace("\n", "\n#   ")[:1500]))


def run(args, how="flag", stdin=None, cwd=None):
    """Run puente in Spanish chosen by `how` (flag, env, lang; "after": args hold --lang) or English (None)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PUENTE_LANG", "LANG", "LC_ALL")}
    env["LANG"] = "C.UTF-8"
    cmd = [BIN] + args
    if how == "flag":
        cmd = [BIN, "--lang", "es"] + args
    elif how == "env":
        env["PUENTE_LANG"] = "es_MX.UTF-8"
    elif how == "lang":
        env["LANG"] = "es_MX.UTF-8"
    r = subprocess.run(cmd, input=stdin, capture_output=True, env=env, cwd=cwd, timeout=120)
    return r.returncode, (r.stdout + r.stderr).decode("utf-8", "replace")


def spanish(name, args, how, rc, *texts, stdin=None, cwd=None):
    got_rc, out = run(args, how, stdin=stdin, cwd=cwd)
    check(got_rc == rc, "%s (%s): exit %d" % (name, how, rc), "got exit %d: %s" % (got_rc, out))
    for t in texts:
        check(t in out, "%s (%s): says '%s'" % (name, how, t), out)
    leaked = sorted(f for f in LEAKS if f in out)
    check(not leaked, "%s (%s): no English message text" % (name, how), "leaked: %s\n%s" % (leaked[:5], out))
    return out


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    work = tempfile.mkdtemp(prefix="i18n-es-")
    db = os.path.join(work, "s.db")
    pg = os.environ.get("PUENTE_TEST_DB")
    if pg:   # the PostgreSQL run of `make check`: a schema of its own (as tests/lib.sh test_store)
        db = "%s%soptions=-csearch_path%%3Dt_i18n_es_%d" % (pg, "&" if "?" in pg else "?", os.getpid())
        os.environ["PUENTE_AUDIT_JOURNAL"] = "commit"
    os.environ["PUENTE_DB"] = db
    os.environ["PUENTE_TODAY"] = "2026-01-15"

    # ---- store: an import with errors and its summary, in the three ways ----
    ftm = os.path.join(work, "in.jsonl")
    write(ftm, '{"id":"x1","schema":"Person","properties":{"name":["Lopez Garcia Juan"]},"datasets":["t"]}\n'
               '{"id":"x1","schema":"Person","properties":{"name":["Ana"]}}\n'
               '{"id":"x2","schema":"Person","properties":{"name":["Ana Ruiz"],"birthDate":["18/11/1970"]}}\n'
               '{"id":"x3","schema":"Person","properties":{"name":["Eva Diaz"],"country":["Narnia"]}}\n')
    for how in ("flag", "env", "lang"):
        spanish("import ftm with errors", ["import", "ftm", ftm], how, 7,
                "4 registros leídos, 1 entidades escritas", "registros rechazados: 2", "registros duplicados: 1",
                "campo 'birthDate': se esperaba una fecha ISO 8601 AAAA-MM-DD; se recibió '18/11/1970' "
                "(¿día/mes/año? escriba 1970-11-18)",
                "país desconocido 'Narnia'", "id duplicado 'x1'")
    rc, out = run(["import", "ftm", ftm], None)
    check("records read" in out and "registros" not in out, "import ftm: English without a language", out)
    check(any(f in out for f in LEAKS), "the leak check finds the English texts in English output", out)
    spanish("usage error", ["import", "--bogus"], "env", 2,
            "puente: error de uso: opción desconocida '--bogus'; vea 'puente import --help'")
    spanish("import --help", ["import", "--help"], "lang", 0, "Importa al almacén, todo o nada")
    spanish("missing file", ["import", "ftm", os.path.join(work, "nope.jsonl")], "flag", 1,
            "no existe el archivo", "la importación falló; el almacén no cambió")
    spanish("stats", ["stats"], "env", 0, "almacén: ")
    # --lang after the command: the same choice (and no "unknown option")
    spanish("--lang after the command", ["stats", "--lang", "es"], "after", 0, "almacén: ")
    spanish("--lang= after the command", ["import", "ftm", ftm, "--lang=es-MX"], "after", 7, "registros leídos")

    # ---- screening ----
    q = os.path.join(work, "q.csv")
    write(q, "id,name,birth_date,passport\nq1,Juan Lopez Garcia,1970-01-02,X\nq1,Ana Ruiz,,Y\n"
             "q2,Eva Diaz,18/11/1970,Z\n")
    spanish("screen", ["screen", q, "--format", "csv"], "lang", 7,
            "columna(s) desconocida(s) 'passport' ignorada(s); columnas aceptadas:",
            "id de consulta duplicado 'q1'", "escriba 1970-11-18", "2 consultas cotejadas, 1 no válidas")
    spanish("screen without a store", ["screen", q, "--db", os.path.join(work, "typo.db")], "flag", 1,
            "aquí no hay un almacén")
    spanish("compare usage", ["compare", "only-one"], "env", 2, "se esperaban dos nombres")

    # ---- cargo ----
    man = os.path.join(work, "m.csv")
    write(man, "awb,hawb,description,weight_kg,departure_date,arrival_date,origin_country\n"
               "172-1,H0,shoes,5,2026-01-02,2026-01-03,CN\n"
               "172-9,H1,Acido fenilacetico,-5,2026-01-04,2026-01-05,CHINA\n")
    spanish("cargo screen", ["cargo", "screen", man, "--owner", "CBP", "--marking", "SHARED", "--dry-run"], "env", 7,
            "el campo se ignora, el resto de la línea se coteja", "líneas cotejadas en")
    spanish("cargo usage", ["cargo"], "flag", 2, "uso: puente cargo <comando> [opciones]",
            "Selección de carga en manifiestos")
    spanish("cargo detect", ["cargo", "detect", "zapatos de cuero"], "lang", 0,
            "no se encontró ninguna sustancia de la lista de vigilancia")

    # ---- firearms tracing ----
    acq = os.path.join(work, "acq.csv")
    write(acq, "manufacturer,serial,model,type,event,date,party,party_dob,ffl,state\n"
               "GLOCK,S0,G17,pistol,MANUFACTURE,2020-01-10,,,,\n"
               "GLOCK,S1,G19,pistol,MANUFACTURE,10/01/2020,,,,\n")
    spanish("trace import", ["trace", "import", "acquisitions", acq], "flag", 7,
            "trace import acquisitions: 2 leídos, 1 escritos, 0 sin cambios, 1 rechazados, 0 duplicados",
            "los renglones rechazados se guardan en trace_reject",
            "campo 'date': se esperaba una fecha ISO 8601 AAAA-MM-DD; se recibió '10/01/2020' "
            "(el orden de día y mes es ambiguo; escriba año-mes-día)")
    spanish("trace request show", ["trace", "request", "show", "X-1"], "env", 3,
            "se esperaba un número de solicitud como T2026-000002")
    spanish("trace usage", ["trace"], "lang", 2, "Rastreo de armas de fuego")
    spanish("trace request fields", ["trace", "request", "fields"], "env", 0, "Fecha de solicitud", "obligatorio")

    # ---- early warning ----
    rep = os.path.join(work, "r.csv")
    write(rep, "report_id,date,place,source_agency,type,substances,quantity_g\n"
               "R0,2025-06-05,MX-CHH,FGR,seizure-lab,fentanyl,1\n"
               "R1,2099-06-05,MX-CHH,FGR,seizure-lab,fentanyl,1\n"
               "R2,2025-06-12,MX-CHH,FGR,seizure-lab,fentanyl,abc\n")
    spanish("ews import", ["ews", "import", rep], "lang", 7,
            "ews import: 3 leídos, 1 escritos", "la fecha 2099-06-05 está en el futuro (hoy es 2026-01-15, UTC)",
            "se esperaba una cantidad en gramos >= 0; se recibió 'abc'")
    spanish("ews alerts ack without agency", ["ews", "alerts", "ack", "1"], "flag", 2,
            "se requieren --agency A --country C (la dependencia que actúa)")
    spanish("ews scan bad date", ["ews", "scan", "--until", "20250101"], "env", 3,
            "se esperaba una fecha ISO 8601 AAAA-MM-DD con guiones; se recibió '20250101' (escriba 2025-01-01)")

    # ---- kinship ----
    kin = os.path.join(SRC, "data", "kinship", "dvi_example2")
    spanish("kinship threshold", ["kinship", "pairwise", "--dir", kin, "--threshold", "-5"], "env", 2,
            "--threshold es una razón de verosimilitud")
    spanish("kinship missing input", ["kinship", "pairwise"], "flag", 3, "falta la entrada: indique --freqs o --dir")

    # ---- audit and access ----
    spanish("audit verify", ["audit", "verify"], "flag", 0, "bitácora de auditoría íntegra:")
    spanish("user add usage", ["user", "add", "bob"], "env", 2, "user add necesita --agency y --role")
    spanish("user --help", ["user", "--help"], "lang", 0, "Los administradores que usan la API solicitan roles")
    spanish("agency add unknown country", ["agency", "add", "ZZZ", "--name", "Z", "--country", "FR"], "flag", 3,
            "se esperaba US o MX; se recibió 'FR'")

    # ---- an unsupported language is refused by every command ----
    rc, out = run(["--help"], None)
    cmds = re.findall(r"^  ([a-z]+) ", out.split("Commands:")[1], re.M)
    check(len(cmds) >= 15, "the registry lists the commands", out)
    for c in cmds:
        # an unknown option: the command's own usage error, in Spanish (never getopt's English)
        got_rc, out = run([c] + (["create"] if c == "token" else []) + ["--bogus-option"], "flag")
        leaked = sorted(f for f in LEAKS if f in out)
        check(got_rc == 2 and "unrecognized option" not in out and not leaked and "--bogus-option" in out,
              "%s --bogus-option: a Spanish usage error naming it" % c, "exit %d: %s %s" % (got_rc, out, leaked[:3]))
        for how in ("flag", "env", "after"):
            env = {k: v for k, v in os.environ.items() if k != "PUENTE_LANG"}
            cmd = {"flag": [BIN, "--lang", "fr", c, "--help"], "env": [BIN, c, "--help"],
                   "after": [BIN, c, "--help", "--lang", "fr"]}[how]
            if how == "env":
                env["PUENTE_LANG"] = "fr"
            r = subprocess.run(cmd, capture_output=True, env=env, timeout=60)
            err = r.stderr.decode("utf-8", "replace")
            check(r.returncode == 2 and "unsupported language 'fr'" in err and not r.stdout,
                  "%s: %s fr refused with exit 2" % (c, {"flag": "--lang", "env": "PUENTE_LANG",
                                                         "after": "--lang after the command"}[how]),
                  "exit %d: %s" % (r.returncode, err))

    print("%d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
