#!/usr/bin/env bash
# Run a command as if the machine's date were DAY (libfaketime: apt-get install faketime).
#   tests/support/on_date.sh 2027-02-28 make test
#   tests/support/on_date.sh "2026-12-31 20:00:00" .venv/bin/pytest -q tests/test_rules.py
# DAY is the machine's local time (a day alone means 10:00); the portal's day is that moment
# in its TIMEZONE (Asia/Shanghai). The clock ticks on from there. PostgreSQL and Redis keep
# the real date: no SQL of the portal reads CURRENT_DATE or now().
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 YYYY-MM-DD[' HH:MM:SS'] COMMAND..." >&2
    exit 2
fi
when=$1
shift
[[ $when == *:* ]] || when="$when 10:00:00"
command -v faketime >/dev/null || { echo "faketime is not installed" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# libfaketime 0.9.10: a faked monotonic clock hangs Python's timed waits; keep it real, and
# let faketime/sitecustomize.py mend time.sleep, which then fails.
export FAKETIME_DONT_FAKE_MONOTONIC=1
export PYTHONPATH="$here/faketime${PYTHONPATH:+:$PYTHONPATH}"
exec faketime "$when" "$@"
