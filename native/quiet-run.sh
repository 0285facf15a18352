#!/usr/bin/env bash
# Runs a build step with its output in a log file, so `mvn -q` stays quiet: nothing is printed on
# success; on failure the command, its exit code and the end of the log go to stderr.
# Usage: quiet-run.sh LOGFILE COMMAND [ARGS...]
set -u
log="$1"; shift
mkdir -p "$(dirname "$log")"
"$@" >"$log" 2>&1
rc=$?
if [ "$rc" != 0 ]; then
    {
        echo "aldm2 native build step failed (exit $rc): $*"
        echo "---- last 80 lines of $log ----"
        tail -n 80 "$log"
    } >&2
fi
exit "$rc"
