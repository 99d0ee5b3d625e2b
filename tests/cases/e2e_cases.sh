# e2e_cases.sh - `puente case`, `puente warrant`, `puente extradition`
# through the binary: filing, need-to-know (read, list, count), the stage
# workflow and its exit codes (6 for a refused transition), the CSV list,
# legal clocks, documents and their hashes, the NIEM export and the
# Spanish rendering of values. Runs on SQLite and PostgreSQL.
source "$(dirname "$0")/../lib.sh"
DB=$(test_store cases.db)
export PUENTE_DB=$DB
HSI="--agency HSI --country US"; FGR="--agency FGR --country MX"; DEA="--agency DEA --country US"

C=$("$PUENTE" case new $HSI --title "Operación Coyote" --agencies HSI:US,FGR:MX --marking SHARED \
     --offences "human smuggling; money laundering" --opened 2026-01-02)
assert_rc $? 0 "case new"
S=$("$PUENTE" case new $HSI --title "HSI internal lead" --opened 2026-01-03)
out=$("$PUENTE" case show "$C" $FGR); assert_rc $? 0 "a participating agency reads the case"
assert_contains "$out" "Operación Coyote" "title shown to a member"
"$PUENTE" case show "$C" $DEA >/dev/null 2>&1; assert_rc $? 4 "a non-member cannot read (exit 4, as absent)"
"$PUENTE" case show 99999 $DEA >/dev/null 2>&1; assert_rc $? 4 "an absent case answers alike"
out=$("$PUENTE" case list $DEA); assert_eq "$out" "" "a non-member lists nothing"
out=$("$PUENTE" case list $DEA --count-only); assert_eq "$out" "0" "a non-member counts nothing"
out=$("$PUENTE" case list $HSI --count-only); assert_eq "$out" "2" "the owner counts both"
out=$("$PUENTE" case list $DEA --existing --json)
assert_contains "$out" '"restricted": true' "a SHARED case is shown to exist"
assert_not_contains "$out" "Coyote" "...without its title"
assert_not_contains "$out" "internal lead" "an AGENCY-ONLY case does not show at all"
"$PUENTE" case note "$C" $FGR --text "x" >/dev/null 2>&1; assert_rc $? 5 "a read member cannot write (exit 5)"
"$PUENTE" case member "$C" $HSI --member-agency DEA --right read >/dev/null; assert_rc $? 0 "owner adds DEA"
out=$("$PUENTE" case list $DEA --count-only); assert_eq "$out" "1" "a new member counts it"

CH=$("$PUENTE" case charge "$C" $HSI --statute "8 U.S.C. 1324(a)(1)(A)(ii)" --law US --severity felony --count 3 --filed 2026-01-20)
W=$("$PUENTE" warrant add "$C" $HSI --court "U.S. District Court, W.D. Tex." --judge "A. Ruiz" --issued 2026-02-01 \
     --jurisdiction US --charges "$CH" --subject "Juan Pérez")
assert_rc $? 0 "warrant add"
N=$("$PUENTE" case notice "$C" $HSI --warrant "$W" --name PEREZ --forename JUAN --dob 1980-04-02 \
     --nationalities MX --charge "Alien smuggling" --charge-translation "Tráfico de personas")
"$PUENTE" warrant status "$W" recalled $HSI >/dev/null 2>&1; assert_rc $? 3 "a recall needs its reason"
"$PUENTE" warrant status "$W" recalled $HSI --reason "superseding indictment" >/dev/null; assert_rc $? 0 "recall"
"$PUENTE" warrant status "$W" served $HSI >/dev/null 2>&1; assert_rc $? 6 "a recalled warrant cannot be served (exit 6)"
out=$("$PUENTE" case show "$C" $HSI --json)
assert_contains "$out" '"cancellation_requested"' "the recall flags the Red Notice for cancellation"

X=$("$PUENTE" extradition new "$C" $HSI --direction mx_to_us --person "Juan Pérez" --day 2026-01-05 --notes "0123/2026")
"$PUENTE" extradition stage "$X" person_located_arrested --day 2026-01-10 $HSI; assert_rc $? 0 "stage: located"
"$PUENTE" extradition stage "$X" surrendered $HSI 2>/dev/null; assert_rc $? 6 "a transition the workflow refuses: exit 6"
"$PUENTE" extradition stage "$X" flying $HSI 2>/dev/null; assert_rc $? 3 "an unknown stage: exit 3"
"$PUENTE" extradition stage "$X" formal_request_due --day 2026-02-01 $FGR 2>/dev/null; assert_rc $? 5 "a read member cannot move it"
csv=$("$PUENTE" extradition list --format csv --today 2026-02-20 $HSI)
assert_eq "$(echo "$csv" | head -1 | cut -d, -f1,5)" "id,stage" "csv columns id and stage"
assert_eq "$(echo "$csv" | awk -F, -v x="$X" '$1==x {print $5}')" "person_located_arrested" "csv stage in snake_case"
assert_eq "$(echo "$csv" | awk -F, -v x="$X" '$1==x {print $7}')" "2026-03-11" "next due: 60 days after the arrest (treaty Art. 11)"
out=$("$PUENTE" extradition list --format csv $DEA --today 2026-02-20 | wc -l)
assert_eq "$out" "2" "DEA (read member of the case) sees the request"
out=$("$PUENTE" case due $HSI --today 2026-03-05)
assert_contains "$out" "Formal request due after provisional arrest" "escalated within the rule's window"
out=$("$PUENTE" case due $HSI --today 2026-01-20)
assert_contains "$out" "nothing due" "not yet in the window"
"$PUENTE" case task "$C" $HSI --title "Certified translation" --due 2026-01-25 >/dev/null
out=$("$PUENTE" case due $HSI --today 2026-01-20)
assert_contains "$out" "Certified translation" "a task due within a week is due"
out=$("$PUENTE" case due --agency SAT --country MX --today 2026-01-20)
assert_not_contains "$out" "Certified translation" "...but not to a non-member"
out=$("$PUENTE" --lang es case due $HSI --today 2026-03-05)
assert_contains "$out" "Solicitud formal tras la detención provisional" "the clock's label in Spanish"
out=$("$PUENTE" --lang es extradition show "$X" $HSI --today 2026-03-05)
assert_contains "$out" "persona localizada/detenida" "stage values in Spanish"
out=$("$PUENTE" extradition show "$X" $HSI --today 2026-03-05)
assert_contains "$out" "person located/arrested" "stage values in English"

# amparo: the clocks stop from the suspension's first day and count again after its last
"$PUENTE" extradition amparo "$X" $FGR --court "Juzgado 1o" --reference "9/2026" --day 2026-02-01 2>/dev/null
assert_rc $? 5 "a read member cannot record an amparo"
"$PUENTE" extradition amparo "$X" $HSI --reference "9/2026" 2>/dev/null; assert_rc $? 3 "the court is required"
"$PUENTE" extradition amparo "$X" $HSI --court "Juzgado Primero de Distrito en Materia de Amparo Penal" \
    --reference "1234/2026" --day 2026-02-01 >/dev/null; assert_rc $? 0 "amparo: clocks suspended"
"$PUENTE" extradition amparo "$X" $HSI --court "x" --reference "y" 2>/dev/null; assert_rc $? 6 "one open suspension at a time"
out=$("$PUENTE" extradition show "$X" $HSI --today 2026-02-10)
assert_contains "$out" "suspended by amparo since 2026-02-01" "the request shows the suspension"
assert_contains "$out" "2026-03-21" "the treaty clock pushed back by the 10 suspended days so far"
out=$("$PUENTE" --lang es extradition show "$X" $HSI --today 2026-02-10)
assert_contains "$out" "suspendido por amparo desde 2026-02-01" "...in Spanish"
out=$("$PUENTE" case due $HSI --today 2026-03-12 --within 60)
assert_not_contains "$out" "Formal request due after provisional arrest" "a suspended clock is not due"
"$PUENTE" extradition amparo-end "$X" $HSI --day 2026-02-15 --note "suspensión revocada"; assert_rc $? 0 "amparo ended"
csv=$("$PUENTE" extradition list --format csv --today 2026-02-20 $HSI)
assert_eq "$(echo "$csv" | awk -F, -v x="$X" '$1==x {print $7}')" "2026-03-26" "next due: 15 suspended days later"
"$PUENTE" extradition amparo-end "$X" $HSI 2>/dev/null; assert_rc $? 6 "nothing open to end"

printf 'abc' > "$TMP/req.txt"
out=$("$PUENTE" case document "$C" "$TMP/req.txt" $HSI --certified --translated)
assert_contains "$out" "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" "document SHA-256"
D=$(echo "$out" | cut -f1)
"$PUENTE" case document-get "$D" --out "$TMP/back.txt" $FGR; assert_rc $? 0 "a member reads the document"
assert_eq "$(cat "$TMP/back.txt")" "abc" "the same bytes back"
"$PUENTE" case document-get "$D" --out "$TMP/x.txt" --agency SAT --country MX 2>/dev/null; assert_rc $? 4 "not a member: no document"

out=$("$PUENTE" case export "$C" --format niem $HSI)
assert_contains "$out" '"j:Warrant"' "NIEM export: warrants"
assert_contains "$out" '"j:ChargeCountQuantity": 3' "NIEM export: charge count"
"$PUENTE" case export "$C" --format niem $DEA >/dev/null; assert_rc $? 0 "DEA member exports"
"$PUENTE" case export "$S" --format niem $DEA >/dev/null 2>&1; assert_rc $? 4 "no export of a case one cannot read"
out=$(store_sql "$DB" "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'cli.case%' OR action LIKE 'cli.extradition%'")
[ "$out" -ge 10 ] && ok "every command audited ($out entries)" || nok "audit entries: $out"
finish
