#!/usr/bin/env python3
"""Compile src/i18n/messages.tsv into a C table (sorted by key) and check it.

The build fails (exit 1, file:line named) when a line has not exactly three
tab-separated fields (key, English, Spanish), a text is empty, a key repeats
or is not a dotted lower-case name, or the two texts differ in their
{placeholders}. Values of the engines' own bilingual vocabularies are added
as keys too, so the pages translate them through the same catalogue: the
early-warning substances (data/ews/substances.csv: substance.<id> from
name_en / name_es).

The CLI's messages are keyed by their English printf format (gettext's
convention; docs/web.md "Languages"): es.po holds, for each format, the
Spanish format. The build fails when an entry is malformed or repeats, when
its Spanish text is empty, or when the two formats do not have the same
printf conversions in the same order (the arguments are the same, so a
mismatch would be undefined behaviour at run time). Those rows go into a
second sorted table of the same catalogue (i18n_fmts), looked up by the same
functions. Usage: gen.py messages.tsv OUT.c [substances.csv [es.po]]"""
import csv
import re
import sys

KEY = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_\-]+)+$")
PH = re.compile(r"\{[a-z_]+\}")


def fail(where, msg):
    sys.stderr.write(f"{where}: {msg}\n")
    sys.exit(1)


def load(path):
    rows = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            where = f"{path}:{n}"
            cols = line.split("\t")
            if len(cols) != 3:
                fail(where, f"expected key<TAB>English<TAB>Spanish, got {len(cols)} field(s)")
            key, en, es = cols
            if not KEY.match(key):
                fail(where, f"key '{key}' is not a dotted lower-case name")
            if key in rows:
                fail(where, f"key '{key}' repeats (first at line {rows[key][2]})")
            if not en.strip():
                fail(where, f"key '{key}' has no English text")
            if not es.strip():
                fail(where, f"key '{key}' has no Spanish text")
            if sorted(PH.findall(en)) != sorted(PH.findall(es)):
                fail(where, f"key '{key}': placeholders differ between English and Spanish")
            rows[key] = (en, es, n)
    return rows


def add_vocab(rows, path):
    with open(path, encoding="utf-8", newline="") as f:
        for n, rec in enumerate(csv.DictReader(f), 2):
            key = "substance." + re.sub(r"[^a-z0-9_-]+", "_", rec["id"].lower())
            if key in rows:
                fail(f"{path}:{n}", f"key '{key}' is also in the catalogue")
            if not rec["name_en"].strip() or not rec["name_es"].strip():
                fail(f"{path}:{n}", f"substance '{rec['id']}' lacks its English or Spanish name")
            rows[key] = (rec["name_en"], rec["name_es"], n)


# a printf conversion: %[argpos$][flags][width][.precision][length]conversion
CONV = re.compile(r"%(?:\d+\$)?[-+ #0']*(?:\*|\d+)?(?:\.(?:\*|\d+)?)?(hh|h|ll|l|L|z|j|t)?([diouxXeEfFgGaAcspn%])")
PO_ESC = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def conversions(fmt):
    """The printf conversions of fmt, in order, without %% (which takes no argument).
    A '%' that starts no valid conversion is returned as '%?', so it fails the comparison."""
    out, i = [], 0
    while True:
        i = fmt.find("%", i)
        if i < 0:
            return out
        m = CONV.match(fmt, i)
        if not m:
            out.append("%?")
            i += 1
            continue
        if m.group(2) != "%":
            # the flags, width and precision may differ (a Spanish text may pad
            # differently); the argument types may not
            star = m.group(0).count("*")
            out.extend(["*"] * star)
            out.append((m.group(1) or "") + m.group(2))
        i = m.end()


def po_string(where, text):
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        fail(where, "expected a quoted string")
    out, i, body = [], 0, text[1:-1]
    while i < len(body):
        ch = body[i]
        if ch == '"':
            fail(where, "unescaped '\"' in a string")
        if ch == "\\":
            nxt = body[i + 1] if i + 1 < len(body) else ""
            if nxt not in PO_ESC:
                fail(where, f"unknown escape '\\{nxt}' (use \\n, \\t, \\r, \\\" or \\\\)")
            out.append(PO_ESC[nxt])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def load_po(path):
    """es.po (a subset of gettext's PO: comments, msgid, msgstr, continued
    strings) -> {English format: (Spanish format, line)}."""
    entries, cur, field, start = {}, None, None, 0

    def flush():
        if cur is None:
            return
        where = f"{path}:{start}"
        if "msgid" not in cur or "msgstr" not in cur:
            fail(where, "an entry needs msgid and msgstr")
        en, es = cur["msgid"], cur["msgstr"]
        if not en:
            fail(where, "empty msgid (the header entry is not used here)")
        if en in entries:
            fail(where, f"msgid repeats (first at line {entries[en][1]}): {en[:60]!r}")
        if not es.strip():
            fail(where, f"no Spanish text for {en[:60]!r}")
        if conversions(en) != conversions(es):
            fail(where, f"printf conversions differ: English {conversions(en)}, Spanish {conversions(es)} "
                        f"in {en[:60]!r}")
        if en.endswith("\n") != es.endswith("\n"):
            fail(where, f"one text ends with a newline and the other does not: {en[:60]!r}")
        entries[en] = (es, start)

    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            where = f"{path}:{n}"
            if not line or line.startswith("#"):
                if not line and cur is not None and "msgstr" in cur:
                    flush()
                    cur, field = None, None
                continue
            if line.startswith("msgid "):
                if cur is not None:
                    flush()
                cur, field, start = {"msgid": po_string(where, line[6:].strip())}, "msgid", n
            elif line.startswith("msgstr "):
                if cur is None or field != "msgid":
                    fail(where, "msgstr without its msgid")
                cur["msgstr"], field = po_string(where, line[7:].strip()), "msgstr"
            elif line.startswith('"'):
                if cur is None:
                    fail(where, "a string outside an entry")
                cur[field] += po_string(where, line)
            else:
                fail(where, "expected msgid, msgstr, a quoted string or a # comment")
        flush()
    return entries


def cstr(s):
    out = []
    for ch in s.encode("utf-8"):
        if ch in (0x22, 0x5C):
            out.append("\\" + chr(ch))
        elif 0x20 <= ch < 0x7F:
            out.append(chr(ch))
        else:
            out.append("\\%03o" % ch)
    return '"' + "".join(out) + '"'


def main():
    rows = load(sys.argv[1])
    if len(sys.argv) > 3:
        add_vocab(rows, sys.argv[3])
    fmts = load_po(sys.argv[4]) if len(sys.argv) > 4 else {}
    with open(sys.argv[2], "w", encoding="utf-8") as o:
        o.write("/* generated by src/i18n/gen.py from messages.tsv; do not edit */\n")
        o.write("#include <stddef.h>\n#include \"i18n/i18n_int.h\"\n")
        o.write("const i18n_row i18n_rows[] = {\n")
        for key in sorted(rows):
            en, es, _ = rows[key]
            o.write(f"    {{{cstr(key)}, {{{cstr(en)}, {cstr(es)}}}}},\n")
        o.write("};\n")
        o.write(f"const size_t i18n_nrows = {len(rows)};\n")
        # sorted by the bytes, as strcmp (bsearch in i18n.c) compares them
        o.write("const i18n_row i18n_fmts[] = {\n")
        for en in sorted(fmts, key=lambda k: k.encode("utf-8")):
            o.write(f"    {{{cstr(en)}, {{{cstr(en)}, {cstr(fmts[en][0])}}}}},\n")
        if not fmts:
            o.write("    {\"\", {\"\", \"\"}},\n")
        o.write("};\n")
        o.write(f"const size_t i18n_nfmts = {len(fmts)};\n")


main()
