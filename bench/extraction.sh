#!/usr/bin/env bash
# Score parsers.article:body_text against trafilatura and readability on the shared
# extraction benchmark (181 news pages), 3 interleaved timed passes each; prints the
# scorer's table (F1 and pages/s, medians) to stdout. Extra arguments go to the scorer,
# e.g. `bench/extraction.sh --worst 15 --dump /tmp/extraction-dump`.
# Needs the bench extra installed in .venv (pip install -e '.[bench]') and ../shared next to the repo.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python ../shared/tools/extract_bench.py --data ../shared/extraction-benchmark \
    --extractor cpec_watch.parsers.article:body_text --extractor trafilatura --extractor trafilatura-precision \
    --extractor readability --repeat 3 "$@"
