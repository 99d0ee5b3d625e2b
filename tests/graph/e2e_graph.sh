#!/bin/bash
# End-to-end: puente graph over the store, trace and resolution. The
# visibility rule on every operation: a US-ONLY entity and a US-ONLY edge
# never show to a Mexican reader, not as a node, a path, a degree, an
# expansion count, a component size, a community, a centrality or an export.
. "${PUENTE_SRC:-.}/tests/lib.sh"
DB=$(test_store graph.db)
P() { "$PUENTE" "$@" --db "$DB"; }
MX=(--agency FGR --country MX)
US=(--agency ATF --country US)

# (the store loads UnknownLink today; Ownership, Directorship... become edges
# of their own types as soon as they are loadable: graph_load.c RELS)
# the store: a designated company, its owner (the straw purchaser), and a
# second network joined to the first only through a US-ONLY link
cat > "$TMP/public.json" <<'JSON'
{"id":"co-cartel","schema":"Company","properties":{"name":["Transportes del Norte SA de CV"],"phone":["+52 664 555 0101"]}}
{"id":"p-susan","schema":"Person","properties":{"name":["Susan I. Lopez"],"birthDate":["1984-06-02"]}}
{"id":"own-1","schema":"UnknownLink","properties":{"subject":["p-susan"],"object":["co-cartel"],"role":["owner"],"startDate":["2019-05-01"]}}
{"id":"co-other","schema":"Company","properties":{"name":["Importadora Lejana SA"]}}
{"id":"p-other","schema":"Person","properties":{"name":["Ramon Ibarra Soto"],"birthDate":["1970-01-01"]}}
{"id":"dir-1","schema":"UnknownLink","properties":{"subject":["p-other"],"object":["co-other"],"role":["director"],"startDate":["2020-01-01"]}}
JSON
cat > "$TMP/usonly.json" <<'JSON'
{"id":"us-secret","schema":"Person","properties":{"name":["Informante Reservado"]}}
{"id":"lnk-secret","schema":"UnknownLink","properties":{"subject":["us-secret"],"object":["co-cartel"]}}
{"id":"lnk-bridge","schema":"UnknownLink","properties":{"subject":["p-other"],"object":["co-cartel"],"startDate":["2022-02-02"]}}
JSON
P import ftm "$TMP/public.json" --owner OFAC --marking PUBLIC >/dev/null; assert_rc $? 0 "import the public network"
P import ftm "$TMP/usonly.json" --owner ATF --marking US-ONLY >/dev/null; assert_rc $? 0 "import the US-ONLY records"

# trace: two spellings of Susan bought firearms recovered in Mexico
H='manufacturer,serial,importer,model,type,calibre,action,detachable_mag,country,event,date,party,party_dob,ffl,state'
{ echo "$H"
  for s in "GX201:Susan I. Lopez" "GX202:SUSAN LOPEZ"; do
    serial=${s%%:*}; name=${s#*:}
    echo "GLOCK,$serial,,G19,pistol,9mm,semi-auto,1,AUT,MANUFACTURE,2021-01-05,,,,"
    echo "GLOCK,$serial,,,,,,,,DEALER,2021-02-01,Border Guns LLC,,5-74-12345,TX"
    echo "GLOCK,$serial,,,,,,,,RETAIL,2021-03-01,$name,1984-06-02,5-74-12345,TX"
  done; } > "$TMP/acq.csv"
cat > "$TMP/rec.csv" <<'CSV'
request_date,priority,agency,case_number,crime_code,serial,obliterated,manufacturer,type,calibre,model,possessor,recovery_date,recovery_state,recovery_place
2021-09-01,routine,FGR,C-1,5212 WEAPON OFFENSE,GX201,no,GLOCK,pistol,9mm,G19,Pedro Ruiz,2021-08-20,Sonora,Nogales
2021-09-02,routine,FGR,C-2,5212 WEAPON OFFENSE,GX202,no,GLOCK,pistol,9mm,G19,Juan Mora,2021-08-21,Sonora,Nogales
CSV
P trace import acquisitions "$TMP/acq.csv" --owner ATF --marking SHARED >/dev/null; assert_rc $? 0 "import sales"
P trace import recoveries "$TMP/rec.csv" --owner FGR --marking SHARED >/dev/null; assert_rc $? 0 "import recoveries"
P trace run >/dev/null; assert_rc $? 0 "trace run"
P tip generate --count 20 --seed 3 >/dev/null; assert_rc $? 0 "tips filed"
P resolve run >/dev/null; assert_rc $? 0 "resolve run"

# resolution: the designated person and both spellings are one node
out=$(P graph path dealer:5-74-12345 co-cartel "${MX[@]}"); assert_rc $? 0 "FGR: a path from the dealer to the designated company"
assert_contains "$out" "resolved:" "the path runs through the resolved person"
assert_contains "$out" "entity:co-cartel" "the path prints the ids of its nodes"
assert_contains "$out" "-- unknown_link (own-1, 2019-05-01) --" "edges carry their type and provenance"
assert_contains "$out" "-- purchase (trace_event:" "the purchase edge names its trace record"
out=$(P graph path trace.purchaser:LOPEZ\ SUSAN\|1984-06-02 p-susan "${MX[@]}" 2>&1)
assert_contains "$out" "path of 0 edges" "a purchaser's spelling and the designated person are one node"

# the visibility rule on every operation
P graph path p-other co-cartel "${MX[@]}" >/dev/null 2>&1; assert_rc $? 4 "FGR: no path through the US-ONLY bridge"
out=$(P graph path p-other co-cartel "${US[@]}"); assert_rc $? 0 "ATF: the path through the US-ONLY bridge"
assert_contains "$out" "unknown_link (lnk-bridge" "ATF: the bridge edge with its record"
P graph paths p-other co-cartel --hops 4 "${MX[@]}" >/dev/null 2>&1; assert_rc $? 4 "FGR: no path of any length"
P graph expand us-secret "${MX[@]}" >/dev/null 2>&1; assert_rc $? 4 "FGR: the US-ONLY person is no node"
P graph expand us-secret "${US[@]}" >/dev/null 2>&1; assert_rc $? 0 "ATF: the US-ONLY person is a node"
mx=$(P graph expand co-cartel --json "${MX[@]}")
us=$(P graph expand co-cartel --json "${US[@]}")
tot() { python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
assert_eq "$(printf '%s' "$mx" | tot)" 2 "FGR: the company's neighbours are the resolved person and the phone"
assert_eq "$(printf '%s' "$us" | tot)" 4 "ATF: and the two US-ONLY neighbours"
deg() { python3 -c 'import json,sys
d=json.load(sys.stdin); print([n["score"] for n in d["nodes"] if n["node"]["id"]=="entity:co-cartel"][0])'; }
assert_eq "$(P graph centrality --measure degree --top 0 --json "${MX[@]}" | deg)" 2 "FGR: the company's degree counts no hidden edge"
assert_eq "$(P graph centrality --measure degree --top 0 --json "${US[@]}" | deg)" 4 "ATF: its degree with the US-ONLY edges"
comp() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["count"], d["components"][0]["size"])'; }
read -r n_mx big_mx < <(P graph components --json "${MX[@]}" | comp)
read -r n_us big_us < <(P graph components --json "${US[@]}" | comp)
assert_eq "$n_mx" 2 "FGR: two components (the bridge is hidden)"
assert_eq "$n_us" 1 "ATF: one component"
assert_eq "$big_us" "$(P graph export --format ftm "${US[@]}" | grep -c '"schema":"\(Person\|Company\|LegalEntity\|Thing\|Address\)"')" "ATF: the component holds every node"
[ "$big_mx" -lt "$big_us" ] && ok "FGR: the largest component is smaller" || nok "FGR: component size reveals the hidden record"
for sub in "components" "communities" "centrality --measure pagerank --top 0" "centrality --measure betweenness --top 0" \
           "centrality --measure kcore --top 0" "expand co-cartel --hops 3" "export" "export --format ftm"; do
  out=$(P graph $sub "${MX[@]}" 2>&1)
  assert_not_contains "$out" "us-secret" "FGR graph $sub: no hidden node"
  assert_not_contains "$out" "Informante" "FGR graph $sub: no hidden name"
  assert_not_contains "$out" "lnk-" "FGR graph $sub: no hidden edge"
done
out=$(P graph centrality --measure pagerank --top 0 "${US[@]}")
assert_contains "$out" "us-secret" "ATF: the US-ONLY node is ranked"
out=$(P graph communities --json "${US[@]}"); assert_rc $? 0 "communities (Leiden)"
assert_contains "$out" '"quality":' "modularity reported"
cnt() { python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])'; }
few=$(P graph communities --json --resolution 0.01 "${US[@]}" | cnt)
many=$(P graph communities --json --resolution 50 "${US[@]}" | cnt)
[ "$many" -gt "$few" ] && ok "a larger Leiden resolution gives more communities ($few, then $many)" || nok "resolution: $few then $many"
P graph communities --resolution 0 "${US[@]}" >/dev/null 2>&1; assert_rc $? 2 "--resolution must be above 0"
all=$(P graph centrality --measure kcore --top 0 --json "${US[@]}" | tot)
core=$(P graph centrality --measure kcore --k 2 --top 0 --json "${US[@]}" | tot)
[ "$core" -lt "$all" ] && [ "$core" -gt 0 ] && ok "the 2-core holds fewer nodes than the graph ($core of $all)" || nok "k-core: $core of $all"
P graph centrality --measure degree --k 2 "${US[@]}" >/dev/null 2>&1; assert_rc $? 2 "--k applies to kcore only"
# betweenness: exact on a small graph, sampled with --samples K < n, the hop cutoff when asked
# (tests/graph/test_betweenness_api.py: the API, the same estimate as the CLI, the visibility rule)
out=$(P graph centrality betweenness --top 1 "${US[@]}"); assert_rc $? 0 "centrality betweenness (the measure as argument)"
assert_contains "$out" "betweenness exact" "a small graph: exact"
out=$(P graph centrality betweenness --samples 3 --top 0 "${US[@]}"); assert_rc $? 0 "--samples 3"
assert_contains "$out" "estimated from 3 of" "the text says how many sources"
assert_eq "$(P graph centrality betweenness --samples 3 --top 0 "${US[@]}")" "$out" "the same estimate twice (fixed seed)"
mth() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["method"], d.get("samples", d.get("cutoff")))'; }
assert_eq "$(P graph centrality --measure betweenness --samples 100000 --json "${US[@]}" | mth)" "exact $all" "--samples at least n: exact"
assert_eq "$(P graph centrality betweenness --cutoff 2 --json "${US[@]}" | mth)" "cutoff 2" "--cutoff 2: the hop-cutoff measure"
P graph centrality betweenness --samples 3 --cutoff 2 "${US[@]}" >/dev/null 2>&1; assert_rc $? 2 "--samples and --cutoff: one of them"
P graph centrality degree --samples 3 "${US[@]}" >/dev/null 2>&1; assert_rc $? 2 "--samples applies to betweenness only"
P graph centrality betweenness --cutoff 7 "${US[@]}" >/dev/null 2>&1; assert_rc $? 2 "--cutoff above 6"

# the connecting network and the time filter
out=$(P graph network co-cartel dealer:5-74-12345 recovery:$(store_sql "$DB" "SELECT number FROM trace_request ORDER BY id LIMIT 1") "${MX[@]}")
assert_rc $? 0 "connecting network of three nodes"
assert_contains "$out" "firearm:" "the network holds the firearm between dealer and recovery"
P graph path p-other co-cartel --from 2023-01-01 "${US[@]}" >/dev/null 2>&1; assert_rc $? 4 "time filter: the 2022 bridge is outside 2023"
P graph path p-other co-cartel --from 2022-01-01 --to 2022-12-31 "${US[@]}" >/dev/null 2>&1
assert_rc $? 0 "time filter: the bridge is inside 2022"
P graph path p-other p-susan --from 2022-01-01 --to 2022-12-31 "${US[@]}" >/dev/null 2>&1
assert_rc $? 4 "time filter: the 2019 ownership is outside 2022"
P graph path p-other co-cartel --from 2020-13-01 >/dev/null 2>&1; assert_rc $? 3 "a bad date is invalid"

# tips are read by tip handlers only: not in an analyst's graph, xref or clusters
assert_contains "$(P graph components --top 0)" "tip:" "the operator's graph holds the tips"
assert_not_contains "$(P graph components --top 0 "${MX[@]}")" "tip:" "a reader without the tips permission: no tip node"
assert_not_contains "$(P graph export --format ftm "${MX[@]}")" "tip" "a reader without the tips permission: no tip in exports"
P xref tip.mention entity "${MX[@]}" >/dev/null 2>&1; assert_rc $? 5 "xref of tip mentions needs the tips permission"
assert_not_contains "$(P resolve show "${MX[@]}")" "tip.mention:" "no tip mention in an analyst's clusters"

# case files (#22) are nodes, by the cases module's rule: releasable AND the
# reader's agency a member; subjects and evidence links join nodes the reader
# already sees, and a hidden subject shows nothing (not even its name)
HSI=(--agency HSI --country US); DEA=(--agency DEA --country US)
REC=$(store_sql "$DB" "SELECT number FROM trace_request ORDER BY id LIMIT 1")
K=$(P case new "${HSI[@]}" --title "Operación Frontera" --agencies HSI:US,FGR:MX --marking SHARED --opened 2022-03-01)
assert_rc $? 0 "HSI files a SHARED case with FGR as a member"
P case subject "$K" --entity p-susan --role suspect "${HSI[@]}" >/dev/null; assert_rc $? 0 "subject: the designated person"
P case subject "$K" --entity us-secret --role informant "${HSI[@]}" >/dev/null; assert_rc $? 0 "subject: a US-ONLY person"
P case subject "$K" --name "Alias El Güero" --role suspect "${HSI[@]}" >/dev/null; assert_rc $? 0 "subject: a name only"
P case link "$K" trace "$REC" "${HSI[@]}" >/dev/null; assert_rc $? 0 "evidence: the recovery"
ktot() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["total"], " ".join(sorted(n["kind"] for n in d["nodes"] if n["kind"] != "case")))'; }
out=$(P graph expand "case:$K" --json "${MX[@]}" | ktot); assert_rc $? 0 "FGR (member): the case is a node"
assert_eq "$out" "3 case.subject recovery resolved" "FGR: the case's neighbours: resolved Susan, the named subject, the recovery"
out=$(P graph expand "case:$K" --json "${HSI[@]}" | ktot)
assert_eq "$out" "4 case.subject entity recovery resolved" "HSI (owner): and the US-ONLY subject"
P graph expand "case:$K" "${DEA[@]}" >/dev/null 2>&1; assert_rc $? 4 "DEA (US, not a member): no case node"
P graph expand "case:$K" "${US[@]}" >/dev/null 2>&1; assert_rc $? 4 "ATF (not a member): no case node"
out=$(P graph path "case:$K" dealer:5-74-12345 "${MX[@]}"); assert_rc $? 0 "FGR: a path from the case to the dealer"
assert_contains "$out" "-- subject (case_subject:" "the subject edge names its case record"
for sub in "expand case:$K --hops 2" "export" "export --format ftm" "components"; do
  out=$(P graph $sub "${MX[@]}" 2>&1)
  assert_not_contains "$out" "us-secret" "FGR graph $sub: the case's hidden subject is no node"
  assert_not_contains "$out" "Informante" "FGR graph $sub: nor its name copied into the case"
done
assert_contains "$(P graph export --format ftm "case:$K" "${MX[@]}")" '"schema":"Project"' "a case exports as an FtM Project"
assert_not_contains "$(P graph export --format ftm "${DEA[@]}")" "Frontera" "DEA's export holds no case"
out=$(P graph expand "case:$K" --from 2023-01-01 --json "${MX[@]}" | ktot)
assert_eq "$out" "1 recovery" "time filter: subjects date from the case's opening (2022), evidence from its linking (today)"

# exports
out=$(P graph export co-cartel p-susan "${MX[@]}")
assert_contains "$out" "<graphml" "GraphML"
assert_contains "$out" "<data key=\"type\">unknown_link</data>" "GraphML edge type"
out=$(P graph export --format ftm co-cartel p-susan "${MX[@]}")
assert_contains "$out" '"schema":"UnknownLink"' "FtM edges"
printf '%s\n' "$out" | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' && ok "FtM lines are JSON" || nok "FtM lines are JSON"

# saved sets and diagrams: owned and marked
out=$(P graph save "Red Norte" co-cartel p-susan --diagram --marking AGENCY-ONLY "${MX[@]}"); assert_rc $? 0 "FGR saves a diagram"
id=$(printf '%s' "$out" | grep -o '[0-9]*$')
assert_contains "$(P graph set "$id" "${MX[@]}")" "co-cartel" "FGR reads its diagram"
P graph set "$id" "${US[@]}" >/dev/null 2>&1; assert_rc $? 4 "ATF cannot read FGR's AGENCY-ONLY diagram"
assert_not_contains "$(P graph sets "${US[@]}")" "Red Norte" "ATF does not list it"
P graph save "x" co-cartel --marking US-ONLY "${MX[@]}" >/dev/null 2>&1; assert_rc $? 5 "a MX agency cannot file US-ONLY (denied)"
# a SHARED set of ATF naming its US-ONLY node: FGR reads it without that node, and counts it not
out=$(P graph save "Compartido" co-cartel us-secret --marking SHARED "${US[@]}"); assert_rc $? 0 "ATF saves a SHARED set"
sid=$(printf '%s' "$out" | grep -o '[0-9]*$')
assert_contains "$(P graph set "$sid" "${US[@]}")" "us-secret" "ATF reads its US-ONLY node in the set"
out=$(P graph set "$sid" "${MX[@]}"); assert_rc $? 0 "FGR reads the SHARED set"
assert_contains "$out" "co-cartel" "FGR: the node it sees"
assert_not_contains "$out" "us-secret" "FGR: not the US-ONLY node"
assert_contains "$(P graph sets "${MX[@]}")" "$(printf 'Compartido\t1')" "FGR's list counts one node"
assert_contains "$(P graph sets "${US[@]}")" "$(printf 'Compartido\t2')" "ATF's list counts two"
P graph bogus >/dev/null 2>&1; assert_rc $? 2 "unknown subcommand"
P graph centrality --measure nope >/dev/null 2>&1; assert_rc $? 3 "unknown measure"
finish
