#!/usr/bin/env bash
# The benchmark in one command (issue 7): builds in Release, starts both test servers, generates the
# data sets, runs every contestant, checks every table, writes bench/results/latest.{json,md}.
# Arguments go to `Zenith.Bench run`: --quick for development, --help for the rest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
artifacts="${ZENITH_BENCH_ARTIFACTS:-${TMPDIR:-/tmp}/zenith-bench-build}"
if [ ! -d "$root/node_modules/chdb" ] || [ ! -d "$root/node_modules/@clickhouse/client" ]; then
  (cd "$root" && npm ci --no-audit --no-fund)
fi
dotnet build "$root/bench/Zenith.Bench/Zenith.Bench.csproj" -c Release --artifacts-path "$artifacts" -nologo -v q
exec "$artifacts/bin/Zenith.Bench/release/Zenith.Bench" run "$@"
