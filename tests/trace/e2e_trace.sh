#!/usr/bin/env bash
# End-to-end: puente trace import / request / run / match / leads / stats.
. "${PUENTE_SRC:-.}/tests/lib.sh"
D="$SRC/tests/trace/data"
DB="$(test_store t.db)"
P() { "$PUENTE" trace --db "$DB" --today 2026-11-27 "$@"; }

out=$(P import acquisitions "$D/acquisitions.csv" --marking SHARED 2>"$TMP/err"); rc=$?
assert_rc $rc 7 "import with bad rows exits 7 (partial: some rows refused)"
assert_contains "$out" "trace import acquisitions: 20 read, 17 written, 0 unchanged, 3 rejected, 0 duplicate" "good rows imported, bad rows counted"
assert_contains "$out" "1 rows name a manufacturer not in the alias table" "unknown manufacturer flagged"
assert_contains "$out" "multiple-sale reports: 1 handgun (3310.4), 1 SW-border rifle" "MSRs derived after import"
err=$(cat "$TMP/err")
assert_contains "$err" "acquisitions.csv:19: field 'serial'" "malformed serial: file:line and field"
assert_contains "$err" "2030-01-01 is in the future" "future date refused"
assert_contains "$err" "before the firearm's manufacture" "date before manufacture refused"
n=$(store_sql "$DB" "SELECT COUNT(*) FROM trace_reject")
assert_eq "$n" "3" "rejected rows kept verbatim"

out=$(P import recoveries "$D/recoveries.csv" --marking SHARED 2>"$TMP/err"); rc=$?
assert_rc $rc 7 "recoveries with bad rows exit 7 (partial)"
assert_contains "$out" "trace import recoveries: 7 read, 4 written, 0 unchanged, 3 rejected, 0 duplicate" "4 requests submitted"
assert_contains "$(cat "$TMP/err")" "recoveries.csv:8: field 'recovery_state'" "US state as recovery state refused"

# issue 16: imports are idempotent; a re-import changes nothing and says so
ev0=$(store_sql "$DB" "SELECT COUNT(*) FROM trace_event"); rq0=$(store_sql "$DB" "SELECT COUNT(*) FROM trace_request")
msr0=$(store_sql "$DB" "SELECT COUNT(*) FROM trace_msr")
out=$(P import acquisitions "$D/acquisitions.csv" --marking SHARED 2>/dev/null)
assert_contains "$out" "trace import acquisitions: 20 read, 0 written, 17 unchanged, 3 rejected, 0 duplicate" "re-import of acquisitions: every good row unchanged"
assert_eq "$(store_sql "$DB" "SELECT COUNT(*) FROM trace_event")" "$ev0" "re-import adds no event"
assert_eq "$(store_sql "$DB" "SELECT COUNT(*) FROM trace_msr")" "$msr0" "re-import does not inflate multiple-sale reports"
out=$(P import recoveries "$D/recoveries.csv" --marking SHARED 2>/dev/null)
assert_contains "$out" "trace import recoveries: 7 read, 0 written, 4 unchanged, 3 rejected, 0 duplicate" "re-import of recoveries: no new request"
assert_eq "$(store_sql "$DB" "SELECT COUNT(*) FROM trace_request")" "$rq0" "re-import adds no request"
{ head -1 "$D/acquisitions.csv"
  echo "Glock,DUP0001,,G19,pistol,9mm,,,,MANUFACTURE,2020-01-01,,,,"
  echo "Glock,DUP0001,,G19,pistol,9mm,,,,RETAIL,2021-01-01,Ann Buyer,1980-01-01,1-74-000-00-0A-00001,TX"
  echo "Glock,DUP0001,,G19,pistol,9mm,,,,RETAIL,2021-01-01,Ann Buyer,1980-01-01,1-74-000-00-0A-00001,TX"
  echo "Glock,DUP0002,,G19,pistol,9mm,,,,RETAIL,2021-01-01,Baby Buyer,2022-05-01,1-74-000-00-0A-00001,TX"
} > "$TMP/dup.csv"
out=$(P import acquisitions "$TMP/dup.csv" --marking SHARED 2>"$TMP/err"); rc=$?
assert_rc $rc 7 "a duplicate row or a bad date: exit 7 (partial)"
assert_contains "$out" "trace import acquisitions: 4 read, 2 written, 0 unchanged, 1 rejected, 1 duplicate" "identical rows in one file imported once, counts add up"
assert_contains "$(cat "$TMP/err")" "dup.csv:4: duplicate of $TMP/dup.csv:3" "the duplicate names both lines"
assert_contains "$(cat "$TMP/err")" "dup.csv:5: field 'party_dob'" "a purchaser born after the purchase is refused"
assert_eq "$(store_sql "$DB" "SELECT COUNT(*) FROM trace_event e JOIN trace_firearm f ON f.id = e.firearm_id WHERE f.serial = 'DUP0001' AND e.kind = 'RETAIL'")" "1" "one retail event stored"

out=$(P request fields --lang es)
assert_contains "$out" "Número de serie" "Form 3312.1 Spanish labels"
out=$(P request submit agency=FGR crime_code=5212 serial=ABC999 manufacturer=Glock type=pistol recovery_date=2025-01-01 recovery_state=Jalisco --marking SHARED)
assert_contains "$out" "T2026-000005 submitted" "request submitted through the CLI"
P request submit agency=FGR crime_code=5212 serial=ABC999 manufacturer=Glock type=bazooka recovery_date=2025-01-01 recovery_state=Jalisco >/dev/null 2>"$TMP/err"
assert_rc $? 3 "bad type refused"
assert_contains "$(cat "$TMP/err")" "field 'type'" "error names the field"

out=$(P run)
assert_contains "$out" "traced 5 requests" "run traces all submitted"
assert_contains "$out" "2 completed, 2 cannot trace, 1 for review" "outcomes"
out=$(P request show 1)
assert_contains "$out" "Status                             completed" "completed trace"
assert_contains "$out" "John Q. Straw" "first retail purchaser"
assert_contains "$out" "Time-to-crime                      210 days" "time-to-crime"
assert_contains "$out" "Possessor is not purchaser         yes" "possessor differs"
assert_contains "$out" "RETAIL" "chain of custody shown"
out=$(P request show 2 --json)
assert_contains "$out" "\"possessor_differs\": false" "possessor is purchaser"
assert_contains "$out" "\"kind\": \"TRANSFER\"" "later transfer in chain"
out=$(P request show 3 --lang es)
assert_contains "$out" "Candidatos (serie parcial)" "partial serial candidates"
assert_contains "$out" "850-12345" "candidate serial"
out=$(P request show 4)
assert_contains "$out" "cannot_trace: no record" "non-US firearm"
# issue 16: the documented id (the request number) works wherever an id is accepted
n4=$(store_sql "$DB" "SELECT number FROM trace_request WHERE id = 4")
assert_eq "$(P request show "$n4")" "$out" "request show by number = by row id"
assert_eq "$(P request show "$(printf '%s' "$n4" | tr T t)")" "$out" "the number is case-insensitive"
P request show T2026-999999 >/dev/null 2>&1; assert_rc $? 4 "an unknown number: not found"
P request show bogus >/dev/null 2>&1; assert_rc $? 3 "neither a number nor an id: invalid"
out=$(P request show 3 --agency ATF --country US)
assert_contains "$out" "Trace request" "SHARED visible to a US agency"

P request pick 3 9 >/dev/null 2>&1; assert_rc $? 4 "no candidate 9"
n3=$(store_sql "$DB" "SELECT number FROM trace_request WHERE id = 3")
P request pick "$n3" 9 >/dev/null 2>&1; assert_rc $? 4 "pick accepts the request number"
out=$(P request pick 3 1); assert_contains "$out" "candidate 1 picked" "examiner picks candidate 1"
P request pick 3 1 >/dev/null 2>&1; assert_rc $? 6 "pick only while in review"
out=$(P run)
assert_contains "$out" "traced 1 requests" "picked request traced again"
out=$(P request show 3)
assert_contains "$out" "Status                             completed" "picked candidate completed"
assert_contains "$out" "John Q. Straw" "picked candidate's purchaser"
assert_contains "$out" "examiner picked candidate 1" "choice recorded"
P request status 3 submitted >/dev/null 2>&1; assert_rc $? 6 "completed -> submitted is a conflict"
P request status 3 in_progress >/dev/null; assert_rc $? 0 "re-open for review"
P request status 3 completed >/dev/null; assert_rc $? 0 "review: in_progress -> completed"
P request status 4 cannot_trace >/dev/null 2>&1; assert_rc $? 3 "cannot_trace needs a reason"

out=$(P match '850-1234?' --manufacturer 'Sturm Ruger' 2>/dev/null)
assert_contains "$out" "2 matches" "partial serial query"
out=$(P match '850-1234?' --manufacturer 'Sturm Ruger' --baseline 2>/dev/null)
assert_contains "$out" "2 matches" "baseline agrees"

out=$(P leads --kind purchaser)
assert_contains "$out" "1. purchaser" "ranked purchaser leads"
assert_contains "$out" "John Q. Straw" "straw purchaser leads"
assert_contains "$out" "multiple-sale report" "indicator explained"
out=$(P stats --json)
assert_contains "$out" "\"requests\": 5" "stats over requests"
assert_contains "$out" "\"by_source_state\"" "by source state"
out=$(P stats)
assert_contains "$out" "time-to-crime over 3 completed traces" "TTC summary"

out=$(P request list --status cannot_trace --limit 0)
assert_contains "$out" "no record" "list by status"
out=$(P request submit agency=SEDENA crime_code=7099 serial=ABC123 manufacturer=Glock type=pistol recovery_date=2025-02-01 recovery_state=Sonora --marking MX-ONLY)
assert_contains "$out" "T2026-000006 submitted" "MX-ONLY request submitted"
out=$(P request list --limit 0 --agency CBP --country US)
assert_not_contains "$out" "T2026-000006" "MX-ONLY request hidden from a US agency"
assert_contains "$out" "T2026-000001" "SHARED request visible to a US agency"
out=$(P request list --limit 0 --agency FGR --country MX)
assert_contains "$out" "T2026-000006" "MX-ONLY request visible to a Mexican agency"
P request show 6 --agency CBP --country US >/dev/null 2>&1; assert_rc $? 4 "hidden request is 'not found'"
P frobnicate >/dev/null 2>&1; assert_rc $? 2 "unknown subcommand is a usage error"

# ---- visibility: every read, readers of the same agency, the same country
# and the other country, over records of every marking ----
V() { "$PUENTE" trace --db "$(test_store v.db)" --today 2026-11-27 "$@"; }
# the rule written out by hand (docs/access.md): sees READER COUNTRY OWNER MARKING
sees() {
  case "$4" in
    PUBLIC|SHARED) return 0 ;;
    US-ONLY) [ "$2" = US ] || [ "$1" = "$3" ] ;;
    MX-ONLY) [ "$2" = MX ] || [ "$1" = "$3" ] ;;
    *) [ "$1" = "$3" ] ;;
  esac
}
country_of() { case "$1" in FGR|SEDENA) echo MX ;; *) echo US ;; esac; }
H="manufacturer,serial,model,type,calibre,event,date,party,party_dob,ffl,state"
FFL="5-74-001-01-2A-00001"
printf '%s\n' "$H" "Glock,G2,G19,pistol,9mm,MANUFACTURE,2023-01-02,,,," \
  "Glock,G2,,,,RETAIL,2024-01-08,Hidden Buyer,1975-05-05,$FFL,TX" \
  "Glock,G3,G19,pistol,9mm,MANUFACTURE,2023-01-02,,,," \
  "Glock,G3,,,,RETAIL,2024-06-03,Hidden Buyer,1975-05-05,$FFL,TX" > "$TMP/shared.csv"
printf '%s\n' "$H" "Glock,H1,G19,pistol,9mm,MANUFACTURE,2023-01-02,,,," \
  "Glock,H1,,,,RETAIL,2024-01-09,Hidden Buyer,1975-05-05,$FFL,TX" \
  "Glock,S1,G19,pistol,9mm,MANUFACTURE,2023-01-02,,,," \
  "Glock,S1,,,,RETAIL,2024-02-05,Secret Only,1960-06-06,$FFL,TX" > "$TMP/hidden.csv"
V import acquisitions "$TMP/shared.csv" --marking SHARED >/dev/null; assert_rc $? 0 "SHARED sales imported"
out=$(V import acquisitions "$TMP/hidden.csv" --marking AGENCY-ONLY --agency ATF --country US); rc=$?
assert_rc $rc 0 "ATF files its own AGENCY-ONLY sales"
assert_contains "$out" "multiple-sale reports derived again" "an agency does not get the operator's report totals"
V import acquisitions "$TMP/hidden.csv" --owner ATF --agency DEA --country US >/dev/null 2>&1
assert_rc $? 5 "DEA cannot file records in ATF's name"
for s in G2 G3 H1 S1; do
  V request submit agency=FGR crime_code=5212 serial=$s manufacturer=Glock type=pistol recovery_date=2024-09-02 \
    recovery_state=Chihuahua possessor="Someone Else" --agency FGR --country MX --marking SHARED >/dev/null
done
V request submit agency=FGR crime_code=5212 serial=AB12 manufacturer=Glock type=pistol recovery_date=2024-09-02 \
  recovery_state=Chihuahua --agency FGR --country MX --marking US-ONLY >/dev/null 2>"$TMP/err"
assert_rc $? 5 "an MX agency cannot file US-ONLY"
assert_contains "$(cat "$TMP/err")" "field 'marking'" "refusal names the marking"
out=$(V request show 1 --json --agency FGR --country MX)
assert_contains "$out" "\"marking\": \"SHARED\"" "a request filed as SHARED is SHARED"
declare -A ID
for owner in FGR ATF; do
  for m in PUBLIC SHARED US-ONLY MX-ONLY AGENCY-ONLY; do
    out=$(V request submit agency=$owner crime_code=5212 serial=RS99 manufacturer=Glock type=pistol \
      recovery_date=2024-09-02 recovery_state=Sonora --owner $owner --marking $m)
    ID[$owner/$m]=${out%% *}
  done
done
V run >/dev/null; assert_rc $? 0 "operator runs the traces"
for reader in FGR SEDENA ATF DEA; do
  c=$(country_of $reader)
  want=4
  list=$(V request list --limit 0 --agency $reader --country $c)
  for owner in FGR ATF; do
    for m in PUBLIC SHARED US-ONLY MX-ONLY AGENCY-ONLY; do
      id=${ID[$owner/$m]}
      V request show "$id" --agency $reader --country $c >/dev/null 2>&1; rc=$?
      if sees $reader $c $owner $m; then
        want=$((want+1))
        assert_rc $rc 0 "$reader sees $owner's $m request"
        assert_contains "$list" "$(printf '\n%s\t' "$id")" "$reader lists $owner's $m request"
      else
        assert_rc $rc 4 "$owner's $m request is 'not found' for $reader"
        assert_not_contains "$list" "$(printf '\n%s\t' "$id")" "$reader does not list $owner's $m request"
      fi
    done
  done
  assert_eq "$(printf '%s\n' "$list" | grep -c .)" "$want" "$reader: list has exactly the visible requests"
  out=$(V stats --json --agency $reader --country $c)
  assert_contains "$out" "\"requests\": $want," "$reader: stats count exactly the visible requests"
  leads=$(V leads --kind purchaser --agency $reader --country $c)
  if [ $reader = ATF ]; then
    assert_contains "$leads" "Secret Only" "the owner sees the lead from its AGENCY-ONLY sale"
    assert_contains "$leads" "3 firearms recovered" "the owner counts its hidden sale"
  else
    assert_not_contains "$leads" "Secret Only" "$reader: an AGENCY-ONLY sale makes no lead"
    assert_contains "$leads" "Hidden Buyer" "$reader: the lead from SHARED sales is there"
    assert_contains "$leads" "2 firearms recovered" "$reader: the hidden sale does not change its count"
    assert_not_contains "$leads" "T2026-000003" "$reader: the request on the hidden sale is not cited"
  fi
  out=$(V request show 3 --json --agency $reader --country $c)
  if [ $reader = ATF ]; then assert_contains "$out" "Hidden Buyer" "ATF sees the result read from its sale"
  else assert_not_contains "$out" "Hidden Buyer" "$reader: no result read from a hidden sale"; fi
done
out=$(V leads --kind purchaser --json --agency FGR --country MX)
assert_contains "$out" "\"recoveries\": 2" "leads as JSON, written by the engine"
V request status 1 in_progress --agency DEA --country US >/dev/null 2>&1
assert_rc $? 5 "only the owner (or a granted agency) changes a request"
V request status 1 in_progress --agency FGR --country MX >/dev/null; assert_rc $? 0 "the owner changes its request"
V generate --firearms 10 --agency FGR --country MX >/dev/null 2>&1; assert_rc $? 5 "generate is the operator's"
V request list --agency FGR >/dev/null 2>&1; assert_rc $? 2 "--agency without --country is a usage error"
out=$(V match 'G?' --manufacturer Glock --agency FGR --country MX 2>/dev/null)
assert_contains "$out" "2 matches" "match sees only visible firearms (G2, G3; not H1)"
out=$(V match 'G?' --manufacturer Glock --agency FGR --country MX --baseline 2>/dev/null)
assert_contains "$out" "2 matches" "the SQL baseline agrees"
out=$(V match '?1' --manufacturer Glock --agency FGR --country MX 2>/dev/null)
assert_contains "$out" "0 matches" "AGENCY-ONLY firearms (H1, S1) are not candidates for FGR"
out=$(V match '?1' --manufacturer Glock --agency ATF --country US 2>/dev/null)
assert_contains "$out" "2 matches" "... and are for their owner"
out=$(V match '?1' --manufacturer Glock --agency ATF --country US --baseline 2>/dev/null)
assert_contains "$out" "2 matches" "the SQL baseline agrees for the owner"
# the one default marking (store.h): a request filed without one is its agency's alone
V request submit agency=FGR crime_code=5212 serial=AB13 manufacturer=Glock type=pistol recovery_date=2024-09-02 \
  recovery_state=Chihuahua --agency FGR --country MX >"$TMP/out"
nid=$(grep -o 'T2026-[0-9]*' "$TMP/out" | head -1 | sed 's/^T2026-0*//')
assert_contains "$(V request show "$nid" --json --agency FGR --country MX)" "\"marking\": \"AGENCY-ONLY\"" "a request filed without a marking is AGENCY-ONLY (the one default)"
V request show "$nid" --agency SEDENA --country MX >/dev/null 2>&1; assert_rc $? 4 "and another agency of the same country does not see it"
finish
