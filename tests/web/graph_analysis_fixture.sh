#!/usr/bin/env bash
# Data for the Networks page's analysis panel (tests/web/graph_analysis.mjs):
# graph_fixture.sh's network (a designated company owned since 2019 by a
# person who bought two firearms under two spellings; a US-ONLY person
# linked to the company) and a second, PUBLIC network: a hub company with
# five associated persons linked in 2022 (the most connected node a Mexican
# analyst may see). The US-ONLY person also has six US-ONLY associates, so
# for a US reader it is the most connected node and its component is
# seven nodes larger: a Mexican reader must see neither, nor the counts.
# Usage: graph_analysis_fixture.sh PUENTE_BIN DB WORKDIR
set -euo pipefail
bash "$(dirname "$0")/graph_fixture.sh" "$@"
. "$(dirname "$0")/fixture_lib.sh"
bin=$1 db=$2 work=$3
{ echo '{"id":"co-hub","schema":"Company","properties":{"name":["Comercializadora Centro SA"]}}'
  for i in 1 2 3 4 5; do
    echo "{\"id\":\"p-hub-$i\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Socio Centro $i\"]}}"
    echo "{\"id\":\"hub-$i\",\"schema\":\"UnknownLink\",\"properties\":{\"subject\":[\"p-hub-$i\"],\"object\":[\"co-hub\"],\"role\":[\"associate\"],\"startDate\":[\"2022-03-0$i\"]}}"
  done; } > "$work/hub.json"
{ for i in 1 2 3 4 5 6; do
    echo "{\"id\":\"us-assoc-$i\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Contacto Reservado $i\"]}}"
    echo "{\"id\":\"us-lnk-$i\",\"schema\":\"UnknownLink\",\"properties\":{\"subject\":[\"us-assoc-$i\"],\"object\":[\"us-secret\"],\"startDate\":[\"2022-04-0$i\"]}}"
  done; } > "$work/usonly2.json"
p import ftm "$work/hub.json" --owner OFAC --marking PUBLIC >/dev/null
p import ftm "$work/usonly2.json" --owner ATF --marking US-ONLY >/dev/null
