# End-to-end tests of `puente cargo` through the binary, on the bundled data
# and on generated manifests.
source "$PUENTE_SRC/tests/lib.sh"
export PUENTE_DB="$(test_store p.db)"
export PUENTE_AGENCY=CBP
P=$PUENTE

# --- a labelled manifest, screened and evaluated -----------------------------------
$P cargo generate --lines 2000 --seed 11 --out "$TMP/m.csv" --truth "$TMP/t.csv" 2>/dev/null
assert_rc $? 0 "generate 2000 lines"
assert_eq "$(($(wc -l < "$TMP/m.csv") - 1))" 2000 "manifest has 2000 lines"
out=$($P cargo screen "$TMP/m.csv" --out "$TMP/r.csv" 2>&1)
assert_rc $? 0 "screen exits 0"
assert_contains "$out" "2000 lines screened" "screen summary counts lines"
head -1 "$TMP/r.csv" | grep -q '^awb,hawb,score,decision,reasons,' && ok "result CSV header" || nok "result CSV header"
assert_eq "$(($(wc -l < "$TMP/r.csv") - 1))" 2000 "one result per line"
# ranked: scores never increase
python3 - "$TMP/r.csv" <<'PY' && ok "results ranked by score" || nok "results ranked by score"
import csv, sys
s = [float(r["score"]) for r in csv.DictReader(open(sys.argv[1]))]
sys.exit(0 if all(a >= b for a, b in zip(s, s[1:])) else 1)
PY
ev=$($P cargo evaluate "$TMP/r.csv" "$TMP/t.csv" --json)
python3 - "$ev" <<'PY' && ok "hold recall/precision on the labelled set" || nok "hold recall/precision: $ev"
import json, sys
d = json.loads(sys.argv[1])
a = d["all_precursor"]
assert a["lines"] >= 100, a            # >= 5 % of 2000
assert a["precision_hold"] >= 0.95, a
for k in ("declared", "cas_only", "synonym", "code_name", "spanish", "salt", "chinglish"):
    assert d["kinds"][k]["recall_hold"] >= 0.95, (k, d["kinds"][k])
PY

# --- JSON lines in and out -----------------------------------------------------------------
$P cargo generate --lines 50 --seed 3 --jsonl --out "$TMP/m.jsonl" 2>/dev/null
$P cargo screen "$TMP/m.jsonl" --format json --dry-run --out "$TMP/r.jsonl" 2>/dev/null
assert_rc $? 0 "screen JSON lines"
python3 - "$TMP/r.jsonl" <<'PY' && ok "JSON results parse, with reasons and chemicals" || nok "JSON results"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 50
assert all(r["decision"] in ("hold", "review", "release") for r in rows)
assert all("reasons" in r and "chemicals" in r and "parties" in r for r in rows)
PY
# the same lines as one JSON array (what API clients send): same results
python3 -c 'import json,sys; json.dump([json.loads(l) for l in open(sys.argv[1])], open(sys.argv[2], "w"))' "$TMP/m.jsonl" "$TMP/m-array.json"
$P cargo screen "$TMP/m-array.json" --format json --dry-run --out "$TMP/r-array.jsonl" 2>/dev/null
assert_rc $? 0 "screen a JSON array"
python3 - "$TMP/r.jsonl" "$TMP/r-array.jsonl" <<'PY' && ok "JSON array input gives the JSON-lines results" || nok "JSON array results differ"
import json, sys
k = ("awb", "hawb", "score", "decision", "reasons_text", "chemicals", "parties")
a, b = ([{x: json.loads(l).get(x) for x in k} for l in open(p)] for p in sys.argv[1:3])
sys.exit(0 if a == b and len(a) == 50 else 1)
PY

# --- queue, dispositions, statistics -------------------------------------------------------
q=$($P cargo queue --decision hold --format csv --limit 3)
assert_eq "$(printf '%s\n' "$q" | wc -l)" 4 "queue --limit 3 (+ header)"
awb=$(printf '%s\n' "$q" | sed -n 2p | cut -d, -f1)
hawb=$(printf '%s\n' "$q" | sed -n 2p | cut -d, -f2)
$P cargo dispose "$awb" --hawb "$hawb" --outcome inspected_found --note "25 kg seized" >/dev/null
assert_rc $? 0 "dispose inspected_found"
$P cargo dispose "$awb" --outcome exploded 2>/dev/null; assert_rc $? 3 "bad outcome is exit 3"
$P cargo dispose 000-00000000 --outcome held 2>/dev/null; assert_rc $? 4 "unknown AWB is exit 4"
q2=$($P cargo queue --decision hold --format csv)
assert_not_contains "$q2" "$awb,$hawb" "disposed shipment leaves the queue"
st=$($P cargo stats --json)
python3 - "$st" <<'PY' && ok "stats count the finding" || nok "stats: $st"
import json, sys
d = json.loads(sys.argv[1])
assert d["shipments"] == 2000
assert d["decisions"]["hold"]["inspected_found"] == 1
assert sum(r["inspected_found"] for r in d["rules"].values()) >= 1
PY
# a Mexican agency sees SHARED lines, not AGENCY-ONLY ones
$P cargo generate --lines 20 --seed 5 --out "$TMP/m2.csv" 2>/dev/null
sed -i 's/^\([0-9]*\)-/9\1-/' "$TMP/m2.csv"   # other AWBs
$P cargo screen "$TMP/m2.csv" --marking AGENCY-ONLY --owner HSI >/dev/null 2>&1
n_all=$($P cargo queue --all --format csv | wc -l)
n_mx=$($P cargo queue --all --format csv --agency ANAM --country MX | wc -l)
[ "$n_mx" -lt "$n_all" ] && ok "AGENCY-ONLY lines hidden from another agency" || nok "visibility ($n_mx vs $n_all)"

# --- bad input: nothing lost, clear errors ---------------------------------------------------
python3 - "$TMP/m.csv" "$TMP/bad.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
hdr, good = rows[0], rows[1:6]
col = {c: i for i, c in enumerate(hdr)}
def line(r):
    out = []
    for f in r:
        out.append('"' + f.replace('"', '""') + '"' if any(c in f for c in ',"\n') else f)
    return ",".join(out).encode("utf-8", "surrogateescape") + b"\n"
with open(sys.argv[2], "wb") as f:
    f.write(line(hdr))
    r = list(good[0]); r[0] = "777-00000011"; f.write(line(r))                              # line 2: good
    r = list(good[1]); r[0] = "777-00000033"; r[col["weight_kg"]] = "heavy"; f.write(line(r))  # line 3: bad number
    r = list(good[2]); r[0] = "777-00000044"; f.write(line(r).replace(b"Co", b"C\xff", 1))   # line 4: invalid UTF-8
    r = list(good[3]); r[0] = "777-00000055"; r[col["description"]] = "A" * 70000; f.write(line(r))  # line 5: huge
    r = list(good[4]); r[0] = "777-00000066"; f.write(line(r))                              # line 6: good
    f.write(b'777-2,H,"unclosed quote,x\n')                                                 # line 7: malformed
PY
err=$($P cargo screen "$TMP/bad.csv" --dry-run --rejects "$TMP/rej.txt" --out "$TMP/rb.csv" 2>&1)
assert_rc $? 7 "bad lines: exit 7 (partial)"
assert_contains "$err" "bad.csv:7" "malformed CSV named by line"
assert_contains "$err" "weight_kg" "bad number names the field"
assert_contains "$err" "invalid UTF-8" "invalid UTF-8 reported"
assert_contains "$err" "description" "huge description reported"
good=$(($(wc -l < "$TMP/rb.csv") - 1))
[ "$good" -ge 2 ] && ok "good lines still screened ($good)" || nok "good lines screened ($good)"
assert_contains "$(cat "$TMP/rej.txt")" "bad.csv:7" "unreadable line kept in the rejects file"
# issue 16: a bad field (line 3's weight, line 4's UTF-8, line 5's description) no longer
# drops the line: it is screened with a data_quality reason; stderr names file:line and field
assert_contains "$(cat "$TMP/rb.csv")" "777-00000033" "line with a bad weight still screened"
assert_contains "$(grep 777-00000033 "$TMP/rb.csv")" "data_quality: weight_kg" "the screened line carries the data-quality reason"
assert_contains "$err" "bad.csv:3: weight_kg" "bad field named by file:line and field"
assert_not_contains "$(cat "$TMP/rej.txt")" "777-00000033" "a line with a bad field is not a reject"

# --- issue 16: precursor lines with one bad field reach the queue --------------------------
cat > "$TMP/q16.csv" <<'CSV'
awb,hawb,description,weight_kg,arrival_date,departure_date,origin_country
916-1,A,Acido fenilacetico 500 kg,-500,2026-01-05,,CN
916-2,A,Acido fenilacetico 500 kg,abc,2026-01-05,,CN
916-3,A,Acido fenilacetico 500 kg,500,05/01/2026,,CN
916-4,A,Acido fenilacetico 500 kg,500,2026-01-05,,Narnia
916-5,A,Cotton T-shirts,10,2026-01-02,2026-01-04,CN
916-6,H,Acido fenilacetico 500 kg,500,2026-01-05,,CN
916-6,H,Cotton T-shirts,10,2026-01-05,,CN
CSV
err=$(PUENTE_DB="$TMP/q16.db" $P cargo screen "$TMP/q16.csv" --out "$TMP/q16r.csv" 2>&1)
assert_rc $? 7 "refused fields: exit 7 (partial)"
for l in "q16.csv:2: weight_kg" "q16.csv:3: weight_kg" "q16.csv:4: arrival_date" "q16.csv:5: origin_country" \
         "q16.csv:6: arrival_date" "q16.csv:8: awb"; do
    assert_contains "$err" "$l" "reported: $l"
done
assert_contains "$err" "repeats line 7" "duplicate names both lines"
assert_contains "$err" "read 7 = 7 screened + 0 rejected" "summary counts add up"
assert_contains "$err" "1 duplicate AWB+HAWB" "summary counts the duplicate"
q=$(PUENTE_DB="$TMP/q16.db" $P cargo queue --format csv 2>&1)
for a in 916-1 916-2 916-3 916-4 916-6; do
    assert_contains "$(printf '%s\n' "$q" | grep "^$a,")" "hold" "$a: precursor with a bad field is held"
    assert_contains "$(printf '%s\n' "$q" | grep "^$a,")" "data_quality" "$a: data-quality reason in the queue"
done
assert_eq "$(printf '%s\n' "$q" | grep -c '^916-6,')" 1 "a repeated AWB+HAWB is stored once (the hold)"
# the shared parsers: a country name (CHINA, China) or alpha-3 code is a country, a weight may carry its unit
printf 'awb,description,weight_kg,origin_country\n917-1,Acido fenilacetico,500 kg,CHINA\n917-2,Cotton,1.2 t,chn\n' > "$TMP/q17.csv"
out=$($P cargo screen "$TMP/q17.csv" --dry-run --format json --input-order 2>"$TMP/q17.err"); rc=$?
assert_rc $rc 0 "country names and weight units are accepted"
python3 - "$out" <<'PY' && ok "CHINA/chn stored as CN, 1.2 t as 1200 kg" || nok "normalised values: $out"
import json, sys
rows = [json.loads(l) for l in sys.argv[1].splitlines()]
assert [r["origin_country"] for r in rows] == ["CN", "CN"], rows
assert "data_quality" not in rows[0] and "data_quality" not in rows[1], rows
PY
# invalid CAS check digit: reported, not matched
printf 'awb,description\n1,Chemical sample CAS 1609-66-5\n2,Chemical sample CAS 1609-66-1\n' > "$TMP/cas.csv"
r=$($P cargo screen "$TMP/cas.csv" --dry-run --input-order 2>/dev/null)
l1=$(printf '%s\n' "$r" | sed -n 2p); l2=$(printf '%s\n' "$r" | sed -n 3p)
assert_contains "$l1" "cas_invalid" "invalid CAS reported"
assert_not_contains "$l1" "norfentanyl" "invalid CAS not matched"
assert_contains "$l2" "norfentanyl" "valid CAS matched"
assert_contains "$l2" ",hold," "valid CAS of a controlled precursor: hold"
$P cargo screen "$TMP/nope.csv" --dry-run 2>/dev/null; assert_rc $? 1 "missing file is exit 1"
printf 'id,text\n1,x\n' > "$TMP/nohdr.csv"
e=$($P cargo screen "$TMP/nohdr.csv" --dry-run 2>&1); assert_rc $? 3 "CSV without awb/description: exit 3"
assert_contains "$e" "awb and description" "missing columns named"

# --- curator edits: watchlist and rules as versioned data ------------------------------------
$P cargo watchlist export > "$TMP/wl.csv"
assert_eq "$(python3 -c "import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1]))))" "$TMP/wl.csv")" 50 "export bundled watchlist (50)"
printf 'benzyl-chloride,Benzyl chloride,cloruro de bencilo,,,,100-44-7,2903.99,,List I (test),,controlled,,,,test\n' >> "$TMP/wl.csv"
out=$($P cargo watchlist import "$TMP/wl.csv" --note "add benzyl chloride")
assert_contains "$out" "version 1 (51 rows)" "import stores version 1"
printf 'awb,description\nX1,cloruro de bencilo 20 kg\n' > "$TMP/bc.csv"
assert_contains "$($P cargo screen "$TMP/bc.csv" --dry-run 2>/dev/null)" "benzyl-chloride" "new chemical detected after import"
sed 's/^benzyl-chloride,\(.*\),100-44-7,/benzyl-chloride,\1,100-44-8,/' "$TMP/wl.csv" > "$TMP/wl-bad.csv"
e=$($P cargo watchlist import "$TMP/wl-bad.csv" 2>&1); assert_rc $? 3 "bad CAS check digit refused"
assert_contains "$e" "wl-bad.csv:52" "error names file:line"
assert_contains "$e" "check digit" "error says check digit"
assert_eq "$($P cargo watchlist versions | grep -c '^[0-9]')" 1 "refused import stored nothing"
# Mexico's list and thresholds are curator data (the research source has neither)
python3 - "$TMP/wl.csv" "$TMP/wl-mx.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
for r in rows:
    if r["id"] == "benzyl-chloride":
        r["mexico"], r["threshold_kg"] = "Mexico: controlled (curator test)", "50"
w = csv.DictWriter(open(sys.argv[2], "w", encoding="utf-8", newline=""), fieldnames=list(rows[0]))
w.writeheader(); w.writerows(rows)
PY
out=$($P cargo watchlist import "$TMP/wl-mx.csv" --note "Mexico list + threshold")
assert_contains "$out" "version 2" "curator import of Mexico membership and a threshold"
assert_contains "$($P cargo watchlist export | grep '^benzyl-chloride,')" "Mexico: controlled (curator test),controlled,50" "export keeps them"
printf 'awb,description,weight_kg\nMX1,cloruro de bencilo,20\nMX2,cloruro de bencilo,80\n' > "$TMP/bc2.csv"
r=$($P cargo screen "$TMP/bc2.csv" --dry-run --input-order --format json 2>/dev/null)
python3 - "$r" <<'PY' && ok "threshold: below is chem_watch, at/above is controlled; Mexico membership in the result" || nok "threshold/Mexico in results: $r"
import json, sys
a, b = [json.loads(l) for l in sys.argv[1].splitlines()]
assert [x["rule"] for x in a["reasons"]] == ["chem_watch"] and a["chemicals"][0]["below_threshold"], a
assert "chem_controlled" in [x["rule"] for x in b["reasons"]] and b["decision"] == "hold", b
assert b["chemicals"][0]["mexico"] == "Mexico: controlled (curator test)" and b["chemicals"][0]["threshold_kg"] == 50, b
PY
$P cargo rules export > "$TMP/rules.csv"
sed -i 's/^decision_hold,70,/decision_hold,500,/' "$TMP/rules.csv"
$P cargo rules import "$TMP/rules.csv" --note "no holds" >/dev/null; assert_rc $? 0 "rules import"
assert_not_contains "$($P cargo screen "$TMP/cas.csv" --dry-run 2>/dev/null)" ",hold," "new weights apply"
assert_contains "$($P cargo rules export --version 1)" "decision_hold,500" "rules version 1 exported"
printf 'id,weight\nsplit_shipment,20\n' > "$TMP/r-bad.csv"
$P cargo rules import "$TMP/r-bad.csv" 2>/dev/null; assert_rc $? 3 "incomplete rules refused"

# --- detect, help, usage -----------------------------------------------------------------------
assert_contains "$($P cargo detect 'Clorhidrato de efedrina 99%')" "ephedrine" "detect Spanish salt"
assert_contains "$($P cargo detect 'Brake pads P/N 1609-66-5')" "no watchlist chemical" "detect rejects a part number"
$P cargo screen 2>/dev/null; assert_rc $? 2 "screen without file is a usage error"
assert_contains "$($P cargo screen --help)" "usage: puente cargo screen" "screen --help"
$P cargo bogus 2>/dev/null; assert_rc $? 2 "unknown subcommand"
finish
