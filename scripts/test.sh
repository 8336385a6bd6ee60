#!/usr/bin/env bash
# The test command: installs every test dependency on a fresh Debian 12 machine (as root, with only
# the .NET 10 SDK and Node 20 present) and runs every suite. Each suite runs even when an earlier one
# failed; the script exits non-zero if any did, after printing every runner's summary.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

step() { printf '\n==> %s\n' "$*"; }
die() { echo "test setup failed: $*" >&2; exit 1; }

step "Installing Debian packages the tests need (chromium, promtool, docker-compose)"
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v promtool >/dev/null || missing+=(prometheus)
command -v docker-compose >/dev/null || missing+=(docker-compose)
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]}"
fi

step "Installing npm packages (root tooling, dashboard)"
npm ci --no-audit --no-fund || die "npm ci"
npm ci --prefix frontend --no-audit --no-fund || die "npm ci in frontend/"

step "Building (.NET solution, dashboard)"
dotnet build Zenith.sln -c Release --nologo -clp:ErrorsOnly || die "dotnet build"
npm run --prefix frontend build || die "dashboard build"

results=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() { # name, command...
  local name=$1; shift
  step "$name"
  "$@" 2>&1 | tee -a "$log"
  if [ "${PIPESTATUS[0]}" -eq 0 ]; then results+=("PASS  $name"); else results+=("FAIL  $name"); fi
}

run "Generated artefacts are fresh (OpenAPI document, TypeScript client)" npm run --prefix frontend check:api
run "Dashboard lint" npm run --prefix frontend lint
run "Dashboard component tests (Vitest)" npm run --prefix frontend test
run ".NET tests (xunit: core, engine, service, test servers)" \
  dotnet test Zenith.sln -c Release --no-build --nologo --logger "console;verbosity=minimal"
run "Node tests (test servers through the Node drivers)" node --test tests/node/
run "Browser tests (headless Chromium against the real service)" node --test --test-concurrency=1 tests/e2e/
run "Ops checks (compose, Prometheus rules, Grafana dashboard)" bash tests/ops/check.sh

step "Summary"
printf '%s\n' "${results[@]}"
sed -i 's/\x1b\[[0-9;]*m//g' "$log" # the runners' colours, out of the way of the patterns below
# The failed tests by name, so that the last lines of a CI log say what broke: xunit's minimal
# logger ("  Failed Namespace.Class.Method [12 s]"), node:test ("not ok 3 - name"), Vitest ("FAIL file > name").
grep -E '^ +Failed [A-Za-z_][^ ]* \[|^ *not ok [0-9]+ - |^ *(×|FAIL) .+ > ' "$log" | sort -u | sed 's/^ */failed: /' || true
# Test counts of every runner, added up from their own summaries: xunit ("Passed!  - Failed: 0,
# Passed: 13, Skipped: 0"), node:test ("# pass 11"), Vitest ("Tests  21 passed"), the ops checks.
awk '
  /(Passed|Failed)! +- Failed: / { gsub(",", ""); f += $4; p += $6; s += $8 }
  /^# pass /    { p += $3 } /^# fail /    { f += $3 } /^# skipped / { s += $3 }
  /^ *Tests +[0-9]+ (passed|failed)/ { for (i = 1; i < NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^skipped/) s += $i } }
  /^ops: [0-9]+ passed, [0-9]+ failed/ { p += $2; f += $4 }
  END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
failed=$(printf '%s\n' "${results[@]}" | grep -c '^FAIL' || true)
[ "$failed" -eq 0 ]
