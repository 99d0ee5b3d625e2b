#!/usr/bin/env bash
# The one releasability rule, checked on the source tree: no module keeps a
# copy of the rule, of the marking list, or filters visibility in C. The rule
# lives in src/store/store_scope.c (docs/access.md); the only in-memory use
# allowed is re-checking rows of the screening index and its caches, which are
# built from a scoped read (src/screen).
source "$(dirname "$0")/../lib.sh"
cd "$PUENTE_SRC" || exit 1
src_files() { git ls-files 'src/*.c' 'src/*.h' 2>/dev/null || find src -name '*.[ch]'; }

hits=$(src_files | grep -v '^src/store/' | grep -v '^src/screen/' | xargs grep -ln 'store_visible(' 2>/dev/null)
assert_eq "$hits" "" "no module outside the screening index filters visibility in C (store_visible)"

hits=$(src_files | grep -v '^src/store/store_scope.c$' | xargs grep -n "marking IN (\|marking = 'US-ONLY'\|marking = 'MX-ONLY'" 2>/dev/null)
assert_eq "$hits" "" "no SQL copy of the rule outside store_scope.c"

hits=$(src_files | grep -v '^src/store/' | xargs grep -n '"PUBLIC", *"SHARED", *"US-ONLY"' 2>/dev/null)
assert_eq "$hits" "" "no copy of the marking list outside the store"

hits=$(src_files | grep -v '^src/store/store.h$' | xargs grep -n 'expected PUBLIC, SHARED' 2>/dev/null)
assert_eq "$hits" "" "no copy of the marking message (STORE_MARKINGS_TEXT)"

hits=$(src_files | grep -v '^src/db/' | xargs grep -n 'PRAGMA ' 2>/dev/null)
assert_eq "$hits" "" "no SQLite maintenance strings outside src/db (db.h functions)"

hits=$(src_files | grep -v '^src/app/' | xargs grep -ln '__attribute__((weak))' 2>/dev/null)
assert_eq "$hits" "" "no weak symbols: commands come from the module registry"

hits=$(src_files | xargs grep -n 'DB_DONE ? PU_OK : PU_ERR_DB' 2>/dev/null)
assert_eq "$hits" "" "no step result turned into PU_ERR_DB (db_step_done keeps the code)"
finish
