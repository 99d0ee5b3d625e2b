#!/usr/bin/env bash
# Demo step: import the bundled OFAC SDN export (2021-07) and show what it loaded.
# Run by scripts/demo.sh with PUENTE (the binary) and PUENTE_DB (the demo store).
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "Importing the OFAC SDN list (data/ofac, 2021-07 legacy CSV export) into $PUENTE_DB"
"$PUENTE" import ofac data/ofac
echo
echo "Store contents:"
"$PUENTE" stats
show() { # print selected properties of one entity
  "$PUENTE" entity get "$1" | python3 -c '
import json, sys
e = json.load(sys.stdin)
print("  %s  [%s]  owner %s, marking %s" % (e["id"], e["schema"], e.get("owner"), e.get("marking")))
for k, v in e["properties"].items():
    if k in sys.argv[1:]:
        print("    %-15s %s" % (k, "; ".join(v)))' "${@:2}"
}
echo
echo "A Mexican SDNTK designation; birth data, R.F.C. and C.U.R.P. come from the Remarks:"
show ofac-9338 name alias birthDate birthPlace nationality citizenship taxNumber idNumber program
show ofac-9338-sanction program authority entity
echo
echo "A vessel with its IMO number, MMSI and past flags, and its 'Linked To' party:"
show ofac-15036 name previousName imoNumber mmsi flag pastFlags callSign
show ofac-15036-link-1 subject object role
out="$(dirname "$PUENTE_DB")/ofac.ftm.jsonl"
"$PUENTE" export ftm "$out"
echo "Exported as FtM JSON lines: $out"
