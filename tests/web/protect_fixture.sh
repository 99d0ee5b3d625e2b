#!/usr/bin/env bash
# Data for the protection pages' browser test (tests/web/protect.mjs): the
# Mechanism's agency, two protection officers with key pairs (passphrases
# "frase de paso de <user>"), an analyst, twelve generated cases for
# prot.web and one known case with a marked beneficiary whose urgent
# measure is late, with one incident (its evidence is uploaded by the test). Usage: protect_fixture.sh PUENTE_BIN DB WORKDIR
set -euo pipefail
. "$(dirname "$0")/fixture_lib.sh"
web_setup "$@"
export PUENTE_PROTECT_KDF=1:8192
p agency add SEGOB --name "Secretaría de Gobernación (Mecanismo de Protección)" --country mx >/dev/null
web_users <<'USERS'
prot.web SEGOB protection-officer
prot.other SEGOB protection-officer
seg.analyst SEGOB analyst
USERS
as() { local u=$1; shift; PUENTE_PASSWORD=$pw PUENTE_PROTECT_PASSPHRASE="frase de paso de $u" "$bin" --user "$u" protect "$@" --db "$db"; }
as prot.web keygen >/dev/null
as prot.other keygen >/dev/null
as prot.web generate --count 12 --seed 7 >/dev/null
c=$(as prot.web open --kind journalist --path extraordinary --state GRO --received "$(( $(date +%s) - 86400 ))")
pid=$(as prot.web person "$c" --role beneficiary --occupation journalist --name "Amaranta Webmarca Solís")
as prot.web contact "$c" "$pid" --channel phone --value "+52 747 555 0101" >/dev/null
as prot.web measure "$c" --code escort --provider "Policía Estatal" --cost 30000 --urgent >/dev/null
as prot.web incident "$c" --day "$(date -u +%Y-%m-%d)" --state GRO --type surveillance --narrative "vigilancia frente al domicilio" >/dev/null
echo "$c" > "$3/known_case"
