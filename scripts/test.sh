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
run() { # name, command...
  local name=$1; shift
  step "$name"
  if "$@"; then results+=("PASS  $name"); else results+=("FAIL  $name"); fi
}

run "Generated artefacts are fresh (OpenAPI document, TypeScript client)" npm run --prefix frontend check:api
run "Dashboard lint" npm run --prefix frontend lint
run "Dashboard component tests (Vitest)" npm run --prefix frontend test
run ".NET tests (xunit: core, engine, service, test servers)" \
  dotnet test Zenith.sln -c Release --no-build --nologo --logger "console;verbosity=minimal"
run "Node tests (test servers through the Node drivers)" node --test tests/node/ tests/servers/clickhouse/
run "Browser tests (headless Chromium against the real service)" node --test --test-concurrency=1 tests/e2e/
run "Ops checks (compose, Prometheus rules, Grafana dashboard)" bash tests/ops/check.sh

step "Summary"
printf '%s\n' "${results[@]}"
failed=$(printf '%s\n' "${results[@]}" | grep -c '^FAIL' || true)
passed=$(( ${#results[@]} - failed ))
echo "suites: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
