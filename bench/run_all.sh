#!/usr/bin/env bash
# Every benchmark, one after another, then one table of figures against their targets.
# `make bench` runs this from a fresh clone (it sets up .venv, Chromium, Redis and PostgreSQL first).
# BENCH_QUICK=1 runs smaller sizes and one round (for a look, not for the record).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
if [ "${BENCH_QUICK:-0}" = "1" ]; then
  ENTRIES=10000; MILLION=100000; PHONES=50; SECONDS_=10; PEOPLE=20000
else
  ENTRIES=50000; MILLION=1000000; PHONES=200; SECONDS_=30; PEOPLE=100000
fi
echo "== sync ingest vs storage floor";      $PY bench/sync_ingest.py --entries "$ENTRIES" --db both
echo "== daily counts vs GROUP BY";           $PY bench/daily_counts.py --encounters "$MILLION"
echo "== duplicate scan and merge";         $PY bench/duplicates.py --people "$PEOPLE" --db both
echo "== five-year summary vs SQL";           $PY bench/summary.py --encounters "$MILLION"
echo "== push fan-out vs plain pywebpush";    $PY bench/push_fanout.py
echo "== PWA shell weight";                   $PY bench/page_weight.py
echo "== load on SQLite";                     $PY bench/load.py --phones "$PHONES" --seconds "$SECONDS_" --db sqlite
echo "== load on PostgreSQL";                 $PY bench/load.py --phones "$PHONES" --seconds "$SECONDS_" --db postgresql
echo "== Lighthouse (signed-in home)";        .venv/bin/pytest -q --db sqlite tests/e2e/test_lighthouse.py
$PY bench/report.py
