source "$PUENTE_SRC/tests/lib.sh"; finish
