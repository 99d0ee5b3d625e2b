#!/usr/bin/env bash
# Demo step: designation lists as sources and versions (docs/lists.md). The
# small real-format fixtures of data/lists stand for the publishers' exports
# (OFAC XML, UN Security Council, EU, UK OFSI, Mexico's UIF through the
# generic CSV mapping); a second OFAC release shows a version's delta.
# Run by scripts/demo.sh with PUENTE (the binary) and PUENTE_DB (the store).
set -euo pipefail
cd "$(dirname "$0")/../.."
D=data/lists
"$PUENTE" lists sources add us_ofac_xml --format ofac_xml --location "$D/ofac_sdn.xml" >/dev/null
"$PUENTE" lists sources add un_sc --format un_xml --location "$D/un_consolidated.xml" >/dev/null
"$PUENTE" lists sources add eu_fsf --format eu_xml --location "$D/eu_fsf.xml" >/dev/null
"$PUENTE" lists sources add gb_hmt --format uk_csv --location "$D/uk_conlist.csv" >/dev/null
"$PUENTE" lists sources add mx_uif --format generic_csv --location "$D/mx_uif.csv" \
  --mapping "$D/mx_uif.map" --topics sanction,crime >/dev/null
echo "Configured designation-list sources:"
"$PUENTE" lists sources list
echo
echo "Loading every source (validated before anything is replaced):"
"$PUENTE" lists update
# a later OFAC release: one birth date corrected, the vessel delisted
next=$(mktemp --suffix=.xml)
trap 'rm -f "$next"' EXIT
python3 - "$D/ofac_sdn.xml" "$next" <<'PY'
import sys
s = open(sys.argv[1]).read().replace("04 Apr 1957", "04 Apr 1958")
i = s.index("  <sdnEntry>\n    <uid>9702"); j = s.index("</sdnEntry>", i) + len("</sdnEntry>\n")
open(sys.argv[2], "w").write((s[:i] + s[j:]).replace("<Record_Count>3<", "<Record_Count>2<"))
PY
"$PUENTE" lists update --source us_ofac_xml --file "$next"
echo
echo "Versions (puente lists versions):"
"$PUENTE" lists versions
v=$("$PUENTE" lists versions --source us_ofac_xml --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
echo
echo "What OFAC's second release changed (puente lists diff $v):"
"$PUENTE" lists diff "$v"
