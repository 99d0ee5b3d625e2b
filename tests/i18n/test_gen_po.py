#!/usr/bin/env python3
"""gen.py refuses a bad es.po (docs/web.md "Languages"): the Spanish format of a
message must have the English format's printf conversions in the same order,
because pu_fail/T hand it the English call's arguments."""
import os
import subprocess
import sys
import tempfile

SRC = os.environ.get("PUENTE_SRC", ".")
GEN = os.path.join(SRC, "src", "i18n", "gen.py")
TSV = os.path.join(SRC, "src", "i18n", "messages.tsv")
CASES = [
    ("same conversions", 'msgid "got %s at %d"\nmsgstr "se recibió %s en %d"\n', 0, ""),
    ("width and precision may differ, %.0s consumes an argument",
     'msgid "column%s %-10s %5.2f"\nmsgstr "columna(s)%.0s %s %.1f"\n', 0, ""),
    ("continued strings and escapes", 'msgid ""\n"a\\n"\n"b \\"%s\\"\\n"\nmsgstr ""\n"c\\n"\n"d \\"%s\\"\\n"\n', 0, ""),
    ("order differs", 'msgid "alert %lld by %s"\nmsgstr "%s: alerta %lld"\n', 1, "printf conversions differ"),
    ("a conversion missing", 'msgid "got %s at %d"\nmsgstr "se recibió %s"\n', 1, "printf conversions differ"),
    ("another type", 'msgid "%zu rows"\nmsgstr "%d renglones"\n', 1, "printf conversions differ"),
    ("a stray %", 'msgid "100 percent"\nmsgstr "100 %"\n', 1, "printf conversions differ"),
    ("no Spanish", 'msgid "hello"\nmsgstr ""\n', 1, "no Spanish text"),
    ("msgid twice", 'msgid "a b"\nmsgstr "x"\n\nmsgid "a b"\nmsgstr "y"\n', 1, "msgid repeats"),
    ("newline lost", 'msgid "done\\n"\nmsgstr "listo"\n', 1, "newline"),
    ("bad escape", 'msgid "a\\qb"\nmsgstr "x"\n', 1, "unknown escape"),
]
failed = 0
with tempfile.TemporaryDirectory() as d:
    po, out = os.path.join(d, "es.po"), os.path.join(d, "out.c")
    for name, text, rc, msg in CASES:
        with open(po, "w", encoding="utf-8") as f:
            f.write("# test\n" + text)
        r = subprocess.run([sys.executable, GEN, TSV, out, os.path.join(SRC, "data/ews/substances.csv"), po],
                           capture_output=True, text=True)
        ok = r.returncode == rc and msg in r.stderr
        if ok and rc == 0:
            c = open(out, encoding="utf-8").read()
            ok = "i18n_fmts[]" in c and "i18n_nfmts = 1;" in c
        failed += not ok
        print("%s - %s%s" % ("ok" if ok else "not ok", name, "" if ok else ": exit %d %s" % (r.returncode, r.stderr)))
print("%d cases, %d failed" % (len(CASES), failed))
sys.exit(1 if failed else 0)
