#!/usr/bin/env bash
# End-to-end: puente trace import / request / run / match / leads / stats.
. "${PUENTE_SRC:-.}/tests/lib.sh"
D="$SRC/tests/trace/data"
DB="$TMP/t.db"
P() { "$PUENTE" trace --db "$DB" --today 2026-11-27 "$@"; }

out=$(P import acquisitions "$D/acquisitions.csv" 2>"$TMP/err"); rc=$?
assert_rc $rc 3 "import with bad rows exits 3 (invalid input)"
assert_contains "$out" "imported 17 of 20 rows (3 rejected" "good rows imported, bad rows counted"
assert_contains "$out" "1 rows name a manufacturer not in the alias table" "unknown manufacturer flagged"
assert_contains "$out" "multiple-sale reports: 1 handgun (3310.4), 1 SW-border rifle" "MSRs derived after import"
err=$(cat "$TMP/err")
assert_contains "$err" "acquisitions.csv:19: field 'serial'" "malformed serial: file:line and field"
assert_contains "$err" "2030-01-01 is in the future" "future date refused"
assert_contains "$err" "before the firearm's manufacture" "date before manufacture refused"
n=$(sqlite3 "$DB" "SELECT COUNT(*) FROM trace_reject")
assert_eq "$n" "3" "rejected rows kept verbatim"

out=$(P import recoveries "$D/recoveries.csv" 2>"$TMP/err"); rc=$?
assert_rc $rc 3 "recoveries with bad rows exit 3"
assert_contains "$out" "imported 4 of 7 rows (3 rejected" "4 requests submitted"
assert_contains "$(cat "$TMP/err")" "recoveries.csv:8: field 'recovery_state'" "US state as recovery state refused"

out=$(P request fields --lang es)
assert_contains "$out" "Número de serie" "Form 3312.1 Spanish labels"
out=$(P request submit agency=FGR crime_code=5212 serial=ABC999 manufacturer=Glock type=pistol recovery_date=2025-01-01 recovery_state=Jalisco)
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
out=$(P request show 3 --agency ATF --country US)
assert_contains "$out" "Trace request" "SHARED visible to a US agency"

P request pick 3 9 >/dev/null 2>&1; assert_rc $? 4 "no candidate 9"
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
finish
