#!/usr/bin/env bash
# The README's "A short tour", verbatim and in order, after the demo (issue
# #16): a fresh tree (build/, data/, scripts/ linked into a temporary
# directory) without demo-out/ first, where the first step must say that
# demo-out/ does not exist; then `make demo`'s script (no server, a smaller
# trace data set) and every tour command, whose exit must be 0. The last
# command (serve) runs for 2 seconds and must stop cleanly.
. "${PUENTE_SRC:-.}/tests/lib.sh"
SRC=$(cd "${PUENTE_SRC:-.}" && pwd)
BUILD=$(cd "${PUENTE_BUILD:-build}" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T" "$TMP"' EXIT
ln -s "$BUILD" "$T/build"
ln -s "$SRC/data" "$T/data"
ln -s "$SRC/scripts" "$T/scripts"
cd "$T"
# the tour's commands, from README.md (between "## A short tour" and the end of its code block)
awk '/^## A short tour/ {t=1} t && /^```sh/ {c=1; next} c && /^```/ {exit} c' "$SRC/README.md" \
  | sed 's/[[:space:]]*#.*$//' | grep -v '^$' > tour.txt
# and the tour's later blocks (the engines' own sections, up to "## Data"), after the first
awk '/^## A short tour/ {t=1} /^## Data/ {t=0} t && /^```sh/ {c=1; n++; next} c && /^```/ {c=0; next} t && c && n > 1' \
  "$SRC/README.md" | sed 's/[[:space:]]*#.*$//' | grep -v '^$' > tour2.txt
assert_eq "$(head -1 tour.txt)" "export PUENTE_DB=demo-out/puente.db" "the tour starts with the demo store"
n=$(wc -l < tour.txt)
[ "$n" -ge 10 ] && ok "the tour has $n commands" || nok "the tour has $n commands"
# before the demo: the first real step says what is missing
err=$(PUENTE_DB=demo-out/puente.db build/puente import ofac data/ofac 2>&1); rc=$?
assert_rc $rc 1 "before 'make demo' the first step fails"
assert_contains "$err" "demo-out' does not exist" "... saying that demo-out/ does not exist"
assert_contains "$err" "make demo" "... and that 'make demo' makes it"
# the demo, as make demo runs it (without the server; a smaller trace set)
PUENTE_DEMO_NO_SERVE=1 TRACE_FIREARMS=3000 TRACE_RECOVERIES=200 bash scripts/demo.sh > demo.log 2>&1
assert_rc $? 0 "the demo runs"
# the tour, verbatim, in order (in one shell: exports and assignments carry over)
i=0
while IFS= read -r cmd; do
  i=$((i + 1))
  case "$cmd" in
    export\ *) eval "$cmd"; continue ;;
    [a-z]*=*) case "${cmd%%=*}" in *[!a-z_]*) ;; *) eval "$cmd"; continue ;; esac ;;
    *" serve "*) cmd="timeout -s TERM 2 ${cmd/127.0.0.1:8080/127.0.0.1:$((18000 + $$ % 1000))}" ;;
  esac
  out=$(set -o pipefail; eval "$cmd" 2>&1); rc=$?
  # `| head` closes the pipe early (SIGPIPE, 141) and serve is stopped by timeout (124)
  case "$cmd" in *"| head"*) [ $rc -eq 141 ] && rc=0 ;; esac
  case "$cmd" in *" serve "*) [ $rc -eq 124 ] && case "$out" in *"stopped cleanly"*) rc=0 ;; esac ;; esac
  assert_rc $rc 0 "tour step $i: $cmd"
  [ $rc -eq 0 ] || printf '%s\n' "$out" | head -5
done < <(cat tour.txt tour2.txt)
finish
