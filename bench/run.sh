#!/usr/bin/env bash
# Run every benchmark in order, from the repo root with .venv/bin/python (what `python3 tasks.py bench` calls):
# the monitoring pass (bench/pipeline_bench.py), story matching as the store grows with dated and undated articles
# (bench/dedup_bench.py), backfill of 1k, 10k and 100k files (bench/backfill_bench.py), tracked-item matching as
# the catalogue grows (bench/items_scale.py), the status reader's cost per pair (bench/status_bench.py), article
# extraction (bench/extraction.sh) unless BENCH_SKIP_EXTRACTION=1, then the CLI's cold ingest and warm re-poll of a loopback newsroom
# (bench/newsroom_bench.py), a Prefect monitor flow run against a bare flow (bench/prefect_bench.py) and the
# read-only commands (bench/readonly_bench.py). Arguments are ignored. Results go to stdout as markdown tables;
# see bench/README.md. About 15 minutes on 2 quiet cores (the 100k backfill included).
set -euo pipefail
cd "$(dirname "$0")/.."
export DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false
unset PREFECT_API_URL
echo "# CPEC Watch benchmarks"
echo
echo "Written by \`python3 tasks.py bench\` (which runs \`bash bench/run.sh\`) on $(date -u +%Y-%m-%dT%H:%MZ):"
echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB,"
echo "Python $(.venv/bin/python -c 'import platform; print(platform.python_version())'), $(uname -sr). The machine is shared: compare"
echo "figures of one run with each other (side by side, medians), not across runs. Scripts and variants: bench/README.md."
echo
echo "## Monitoring pass"
echo
.venv/bin/python bench/pipeline_bench.py
echo
echo "## Story matching"
echo
.venv/bin/python bench/dedup_bench.py
echo
.venv/bin/python bench/dedup_bench.py --undated
echo
echo "## Backfill at archive scale"
echo
.venv/bin/python bench/backfill_bench.py
echo
echo "## Tracked-item matching"
echo
.venv/bin/python bench/items_scale.py --runs 11
echo
echo "## Status reading"
echo
.venv/bin/python bench/status_bench.py
if [[ "${BENCH_SKIP_EXTRACTION:-}" != "1" ]]; then
    echo
    echo "## Article extraction"
    echo
    bash bench/extraction.sh
fi
echo
echo "## Newsroom: cold ingest and warm re-poll"
echo
.venv/bin/python bench/newsroom_bench.py
echo
echo "## Prefect flow overhead"
echo
.venv/bin/python bench/prefect_bench.py
echo
echo "## Read-only commands"
echo
.venv/bin/python bench/readonly_bench.py
