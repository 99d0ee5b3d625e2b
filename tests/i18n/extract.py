#!/usr/bin/env python3
"""Every message format of the C sources, and which lack Spanish (docs/web.md "Languages").

The CLI's messages are keyed by their English printf format (gettext's
convention); src/i18n/es.po gives each its Spanish. This script finds the
formats in src/ and compares them with es.po:

  extract.py [SRC_ROOT]            the completeness test: exit 1 and a count
                                   per file when a format has no Spanish
  extract.py --missing [SRC_ROOT]  the missing entries as PO stubs (with
                                   their places), to fill in and append to
                                   src/i18n/es.po
  extract.py --stale [SRC_ROOT]    es.po entries no source uses any more
  extract.py --list [SRC_ROOT]     every format with its places

What is a message format:
  - the format argument of a function declared with
    __attribute__((format(printf, N, M))) (pu_fail, cli_usage_error,
    pu_report_warn and the modules' own wrappers), or with a parameter
    `const char *fmt` (ofac_import.c's reject), unless the function is
    listed in NOT_MESSAGES below (it formats data, SQL or API text; pu_fail itself is
    checked like any other);
  - the argument of T("..."), pu_tr("..."), PU_N("...") and i18n_tr(lang, "...").
An argument counts when it is made of string literals and macros that expand
to string literals (DATE_FORM, CLI_SCOPE_HELP) or string constants of the
file (static const char HELP[] = "..."); in `c ? "a" : "b"` both literals
count. Usage texts (string constants named *HELP or USAGE) count wherever
they are used, and so do the command summaries registered with COMMANDS(...)
(src/app/modules.c; `puente --help` shows them through T()). A format without letters ("%s: %s") needs no entry.

A message wrapper (a function with a printf format attribute not in
NOT_MESSAGES) must translate its format (its body calls pu_tr/T, or it hands
(its body calls pu_tr or T on the format): the test fails otherwise, so a new
wrapper cannot bypass the catalogue unnoticed.
"""
import os
import re
import sys

# Functions with a printf format that are not messages for people: what they
# format is data (a rule's detail stored with a cargo line, an explanation
# stored with a screening result), SQL, a buffer, or the API's English text
# (the API translates per request by error code, docs/web.md).
NOT_MESSAGES = {
    "pu_buf_printf", "pu_snprintf", "db_sql_addf", "http_fail", "note", "dupf",
    "printf", "fprintf", "snprintf", "vsnprintf", "dprintf", "pu_buf_vprintf",
    "serial_of",   # trace_gen.c: a serial-number pattern of the demo generator
    "exec_f",      # fed_pg.c: a SQL statement (publication, subscription, trigger)
}
# The translators themselves (their argument is the message id, see CALLS).
TRANSLATORS = {"pu_tr", "i18n_tr", "tr_cli", "T"}
CALLS = {"T": 0, "pu_tr": 0, "PU_N": 0, "i18n_tr": 1}

TOKEN = re.compile(r'''
    (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>(?:u8|L|u|U)?"(?:\\.|[^"\\\n])*")
  | (?P<char>'(?:\\.|[^'\\\n])+')
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>\d[\w.]*)
  | (?P<nl>\n)
  | (?P<space>[ \t\r\f\v]+|\\\n)
  | (?P<punct>->|\+\+|--|<<|>>|&&|\|\||[<>=!]=|.)
''', re.S | re.X)

ESC = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
       "\\": "\\", '"': '"', "'": "'", "?": "?", "0": "\0"}


def c_string(tok):
    """The bytes of a C string literal token, decoded as UTF-8."""
    body = tok[tok.index('"') + 1:-1]
    out, i = bytearray(), 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out += ch.encode("utf-8")
            i += 1
            continue
        nxt = body[i + 1]
        if nxt == "x":
            m = re.match(r"[0-9a-fA-F]+", body[i + 2:])
            out.append(int(m.group(0), 16) & 0xFF)
            i += 2 + len(m.group(0))
        elif nxt in "01234567":
            m = re.match(r"[0-7]{1,3}", body[i + 1:])
            out.append(int(m.group(0), 8) & 0xFF)
            i += 1 + len(m.group(0))
        else:
            out += ESC.get(nxt, nxt).encode("utf-8")
            i += 2
    return out.decode("utf-8", "replace")


def tokens(text):
    """(kind, value, line) of the C text, without comments and spaces; a
    preprocessor line comes as one ('pp', text, line) token."""
    line, out, at_bol = 1, [], True
    pos = 0
    while pos < len(text):
        if at_bol:
            m = re.match(r"[ \t]*#((?:[^\n\\]|\\.|\\\n)*)", text[pos:], re.S)
            if m:
                out.append(("pp", m.group(1), line))
                line += m.group(0).count("\n")
                pos += m.end()
                continue
        m = TOKEN.match(text, pos)
        kind = m.lastgroup
        val = m.group(0)
        pos = m.end()
        if kind == "nl":
            line += 1
            at_bol = True
            continue
        if kind in ("comment", "space"):
            line += val.count("\n")
            continue
        at_bol = False
        out.append((kind, val, line))
    return out


DEFINE = re.compile(r"define\s+([A-Za-z_]\w*)\s+(.*)$", re.S)


def string_macros(toks, macros):
    """#define NAME "literal" [MACRO "literal"...] -> macros[NAME] = the string."""
    for kind, val, _ in toks:
        if kind != "pp":
            continue
        m = DEFINE.match(val.strip())
        if not m:
            continue
        body = [t for t in tokens(m.group(2).replace("\\\n", " ")) if t[0] != "pp"]
        s = literal_run(body, 0, macros)
        if s is not None and s[1] == len(body):
            macros[m.group(1)] = s[0]


def string_constants(toks, macros, messages):
    """static const char NAME[] = "..." "...";  /  const char *NAME = "...";
    -> macros[NAME]; usage texts (NAME ends in HELP, or is USAGE) are
    messages wherever they are used (cmd_cargo.c picks one from a table)."""
    for i in range(len(toks) - 4):
        if toks[i][1] != "char":
            continue
        j = i + 1
        if toks[j][1] == "*":
            j += 1
        if toks[j][0] != "ident" or toks[j][1] in ("const",):
            continue
        name, k = toks[j][1], j + 1
        if toks[k][1] == "[" and toks[k + 1][1] == "]":
            k += 2
        if toks[k][1] != "=":
            continue
        r = literal_run(toks, k + 1, macros)
        if r and r[1] < len(toks) and toks[r[1]][1] == ";":
            macros[name] = r[0]
            if name.endswith("HELP") or name == "USAGE":
                messages.append((r[0], toks[k + 1][2]))


def literal_run(toks, i, macros):
    """The string made by adjacent literals/string macros from toks[i]:
    (string, index after) or None when toks[i] does not start one."""
    parts, j = [], i
    while j < len(toks):
        kind, val, _ = toks[j]
        if kind == "string":
            parts.append(c_string(val))
        elif kind == "ident" and val in macros:
            parts.append(macros[val])
        elif kind == "punct" and val in "()" and parts == [] and False:
            pass
        else:
            break
        j += 1
    return ("".join(parts), j) if parts else None


def split_args(toks, i):
    """Arguments of the call whose '(' is toks[i]: (list of token lists, index after ')')."""
    depth, args, cur = 0, [], []
    j = i
    while j < len(toks):
        kind, val, _ = toks[j]
        if kind == "punct" and val in "([{":
            depth += 1
            if depth > 1:
                cur.append(toks[j])
        elif kind == "punct" and val in ")]}":
            depth -= 1
            if depth == 0:
                args.append(cur)
                return args, j + 1
            cur.append(toks[j])
        elif kind == "punct" and val == "," and depth == 1:
            args.append(cur)
            cur = []
        else:
            cur.append(toks[j])
        j += 1
    return args, j


def arg_literals(arg, macros):
    """The literal strings an argument can be: one run, or each side of ?:."""
    out, k = [], 0
    while k < len(arg):
        r = literal_run(arg, k, macros)
        if r:
            out.append((r[0], arg[k][2]))
            k = r[1]
        else:
            k += 1
    return out


def format_functions(files_toks):
    """name -> 0-based index of the format argument, from format(printf, N, M)."""
    funcs = {}
    for path, toks in files_toks:
        for i, (kind, val, _) in enumerate(toks):
            if kind == "ident" and val == "format" and i + 4 < len(toks) and toks[i + 2][1] == "printf":
                n = int(toks[i + 4][1])
                # the declared function: the last identifier before '(' preceding the attribute
                name = declared_name(toks, i)
                if name:
                    funcs[name] = (n - 1, path)
    return funcs


def fmt_param_functions(files_toks, funcs):
    """Functions with a `const char *fmt` parameter (a format handed on to
    pu_fail, like ofac_import.c's reject): name -> index of that parameter."""
    for path, toks in files_toks:
        for i in range(len(toks) - 2):
            if toks[i][0] == "ident" and toks[i + 1][1] == "(" and (i == 0 or toks[i - 1][0] == "ident"
                                                                    or toks[i - 1][1] == "*"):
                args, _ = split_args(toks, i + 1)
                for k, a in enumerate(args):
                    names = [t[1] for t in a]
                    if names[-3:] == ["char", "*", "fmt"] and "const" in names:
                        funcs.setdefault(toks[i][1], (k, path))


def declared_name(toks, i):
    """The function an __attribute__ at toks[i] belongs to: the identifier
    just before the first '(' of its declaration (before or after the attribute)."""
    k = i
    while k > 0 and not (toks[k][0] == "ident" and toks[k][1] == "__attribute__"):
        k -= 1
    # attribute after the declarator: walk back to the matching '(' of the parameters
    j = k - 1
    if j >= 0 and toks[j][1] == ")":
        depth = 0
        while j >= 0:
            if toks[j][1] == ")":
                depth += 1
            elif toks[j][1] == "(":
                depth -= 1
                if depth == 0:
                    break
            j -= 1
        return toks[j - 1][1] if j > 0 and toks[j - 1][0] == "ident" else None
    # attribute before the declaration (a line of its own): the next "name ("
    j = k
    while j + 1 < len(toks) and not (toks[j][0] == "ident" and toks[j + 1][1] == "(" and toks[j][1] != "__attribute__"
                                     and toks[j][1] != "format"):
        j += 1
    return toks[j][1] if j + 1 < len(toks) else None


def function_bodies(toks, name):
    """Token lists of the bodies of the definitions of name in toks."""
    out = []
    for i in range(len(toks) - 1):
        if toks[i] == ("ident", name, toks[i][2]) and toks[i + 1][1] == "(" and (i == 0 or toks[i - 1][1] not in
                                                                                   ("=", "return", ",", "(", "!")):
            _, j = split_args(toks, i + 1)
            while j < len(toks) and toks[j][1] not in ("{", ";"):
                j += 1
            if j < len(toks) and toks[j][1] == "{":
                depth, k = 0, j
                while k < len(toks):
                    if toks[k][1] == "{":
                        depth += 1
                    elif toks[k][1] == "}":
                        depth -= 1
                        if depth == 0:
                            break
                    k += 1
                out.append(toks[j:k + 1])
    return out


def hands_to_pu_fail(body):
    """1 when the body passes its `fmt` as pu_fail's format (pu_fail translates it)."""
    for i in range(len(body) - 1):
        if body[i][1] == "pu_fail" and body[i + 1][1] == "(":
            args, _ = split_args(body, i + 1)
            if len(args) > 4 and [t[1] for t in args[4]] == ["fmt"]:
                return True
    return False


def extract(root):
    src = os.path.join(root, "src")
    files = []
    for d, _, names in os.walk(src):
        for n in sorted(names):
            if n.endswith((".c", ".h")):
                p = os.path.join(d, n)
                with open(p, encoding="utf-8", errors="replace") as f:
                    files.append((os.path.relpath(p, root), tokens(f.read())))
    files.sort()
    macros = {}
    for path, toks in files:
        if path.endswith(".h"):
            string_macros(toks, macros)
    funcs = format_functions(files)
    fmt_param_functions(files, funcs)
    problems = []
    for name, (_, path) in sorted(funcs.items()):
        if name in NOT_MESSAGES or name in TRANSLATORS:
            continue
        bodies = [b for p, t in files for b in function_bodies(t, name)]
        ok = any(any(t[0] == "ident" and t[1] in ("pu_tr", "T") for t in b) or hands_to_pu_fail(b) for b in bodies)
        if bodies and not ok:
            problems.append(f"{path}: {name}() formats messages but never translates its format "
                            f"(call pu_tr(fmt), or list it in NOT_MESSAGES in {sys.argv[0]} if it formats data)")
    found = {}
    for path, toks in files:
        local = dict(macros)
        string_macros(toks, local)
        usage = []
        string_constants(toks, local, usage)
        for s, line in usage:
            found.setdefault(s, []).append(f"{path}:{line}")
        # the command summaries of the registry (src/app/modules.c), shown by `puente --help`
        for i in range(len(toks) - 4):
            if toks[i][1] == "{" and toks[i + 1][0] == "string" and toks[i + 2][1] == "," and \
                    toks[i + 3][0] == "string" and any(t[1] == "COMMANDS" for t in toks[max(0, i - 400):i]):
                found.setdefault(c_string(toks[i + 3][1]), []).append(f"{path}:{toks[i + 3][2]}")
        for i in range(len(toks) - 1):
            kind, val, _ = toks[i]
            if kind != "ident" or toks[i + 1][1] != "(":
                continue
            if val in CALLS:
                pos = CALLS[val]
            elif val in funcs and val not in NOT_MESSAGES:
                pos = funcs[val][0]
            else:
                continue
            if i > 0 and toks[i - 1][0] == "ident" and toks[i - 1][1] not in ("return", "else"):
                continue   # a declaration or definition, not a call
            args, _ = split_args(toks, i + 1)
            if pos >= len(args):
                continue
            for s, line in arg_literals(args[pos], local):
                if re.search(r"[A-Za-z]", re.sub(r"%[-+ #0-9.*]*(?:hh|h|ll|l|L|z|j|t)?[a-zA-Z%]", "", s)):
                    found.setdefault(s, []).append(f"{path}:{line}")
    return found, problems


def load_po(root):
    sys.path.insert(0, os.path.join(root, "src", "i18n"))
    import importlib.util
    spec = importlib.util.spec_from_file_location("gen", os.path.join(root, "src", "i18n", "gen.py"))
    gen = importlib.util.module_from_spec(spec)
    # gen.py runs main() at import; load only its functions
    code = open(spec.origin, encoding="utf-8").read().replace("\nmain()\n", "\n")
    exec(compile(code, spec.origin, "exec"), gen.__dict__)
    return gen.load_po(os.path.join(root, "src", "i18n", "es.po"))


def po_quote(s):
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r")
    lines = s.split("\n")
    parts = [ln + "\\n" for ln in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    if len(parts) == 1:
        return f'"{parts[0]}"'
    return '""\n' + "\n".join(f'"{p}"' for p in parts)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    mode = next((a for a in sys.argv[1:] if a.startswith("--")), "--check")
    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    found, problems = extract(root)
    po = load_po(root)
    missing = {s: w for s, w in found.items() if s not in po}
    if mode == "--list":
        for s in sorted(found):
            print(f"{s!r}\t{' '.join(found[s])}")
        return 0
    if mode == "--stale":
        for s in sorted(set(po) - set(found)):
            print(f"es.po:{po[s][1]}: {s!r}")
        return 0
    if mode == "--missing":
        for s in sorted(missing, key=lambda k: missing[k][0]):
            print("#: " + " ".join(missing[s][:4]))
            print("msgid " + po_quote(s))
            print('msgstr ""\n')
        return 0
    for p in problems:
        print(p)
    per_file = {}
    for s, w in missing.items():
        f = w[0].rsplit(":", 1)[0]
        per_file[f] = per_file.get(f, 0) + 1
    for f in sorted(per_file):
        print(f"{f}: {per_file[f]} message(s) without Spanish")
    print(f"{len(found)} message formats, {len(missing)} without Spanish in src/i18n/es.po "
          f"(list them: python3 tests/i18n/extract.py --missing)")
    return 1 if missing or problems else 0


if __name__ == "__main__":
    sys.exit(main())
