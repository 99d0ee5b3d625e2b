#!/usr/bin/env bash
# The CLI's language: --lang, else PUENTE_LANG, else LANG; an unsupported
# explicit choice is refused (exit 2); texts come from the catalogue.
. "$(dirname "$0")/../lib.sh"
out=$(env -u PUENTE_LANG LANG=C "$PUENTE" --help 2>&1)
assert_contains "$out" "Commands:" "English by default (LANG=C)"
out=$(env -u PUENTE_LANG LANG=C "$PUENTE" --lang es --help 2>&1)
assert_contains "$out" "Comandos:" "--lang es: Spanish usage"
assert_not_contains "$out" "Commands:" "--lang es: no English heading"
out=$(env -u PUENTE_LANG LANG=C "$PUENTE" --lang=es-MX --help 2>&1)
assert_contains "$out" "Comandos:" "--lang=es-MX"
out=$(PUENTE_LANG=es LANG=C "$PUENTE" nosuchcommand 2>&1); rc=$?
assert_rc "$rc" 2 "an unknown command is a usage error"
assert_contains "$out" "comando desconocido 'nosuchcommand'" "PUENTE_LANG=es: the error in Spanish"
out=$(env -u PUENTE_LANG LANG=es_MX.UTF-8 "$PUENTE" --help 2>&1)
assert_contains "$out" "Comandos:" "LANG=es_MX.UTF-8: Spanish"
out=$(PUENTE_LANG=en LANG=es_MX.UTF-8 "$PUENTE" --help 2>&1)
assert_contains "$out" "Commands:" "PUENTE_LANG wins over LANG"
out=$(PUENTE_LANG=es "$PUENTE" --lang en --help 2>&1)
assert_contains "$out" "Commands:" "--lang wins over PUENTE_LANG"
out=$("$PUENTE" --lang fr --help 2>&1); rc=$?
assert_rc "$rc" 2 "--lang fr is refused with exit 2"
assert_contains "$out" "unsupported language 'fr'" "the refusal names the language"
out=$(PUENTE_LANG=xx "$PUENTE" --help 2>&1); rc=$?
assert_rc "$rc" 2 "PUENTE_LANG=xx is refused with exit 2"
out=$(env -u PUENTE_LANG LANG=de_DE.UTF-8 "$PUENTE" --help 2>&1); rc=$?
assert_rc "$rc" 0 "an unsupported LANG is not an error"
assert_contains "$out" "Commands:" "an unsupported LANG means English"
out=$(env -u PUENTE_LANG LANG=C "$PUENTE" --lang es --version 2>&1)
assert_contains "$out" "puente " "--lang before another argument keeps it"
finish
