#!/usr/bin/env bash
# placeholder replaced below
source "${PUENTE_SRC:-.}/tests/lib.sh"
finish
