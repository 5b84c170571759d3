# Shared by the check scripts in scripts/tests (sourced, not run): counters and the pass/skip/fail/check helpers.
# The sourcing script sets WORK (a scratch directory) before calling check.
# shellcheck shell=bash
PASSED=0
FAILED=0
SKIPPED=0

pass() { PASSED=$((PASSED + 1)); printf 'ok    %s\n' "$1"; }
skip() { SKIPPED=$((SKIPPED + 1)); printf 'skip  %s\n' "$1"; }
# fail NAME [OUTPUT-FILE]: counts a failure and shows the tail of the output, if any.
fail() {
    FAILED=$((FAILED + 1))
    printf 'FAIL  %s\n' "$1"
    if [ -n "${2:-}" ] && [ -s "$2" ]; then sed 's/^/      /' "$2" | tail -40; fi
}
# check NAME COMMAND...: passes when the command exits 0; shows its output when not.
check() {
    local name=$1
    shift
    if "$@" >"$WORK/check.out" 2>&1; then pass "$name"; else fail "$name" "$WORK/check.out"; fi
}
