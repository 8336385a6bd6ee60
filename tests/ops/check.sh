#!/usr/bin/env bash
# Validates the ops files without a Docker engine: the compose file (Debian's docker-compose),
# the Prometheus config, alert rules and their unit tests (promtool), and the Grafana
# dashboard, alert metric names and Dockerfile against the repository, the demo's seeder
# against MongoDB, and the dashboard's queries and the alerts against a running Zenith and
# Prometheus (node:test).
# Installs docker-compose, prometheus (for promtool) and tests/ops' npm packages when missing.
# Usage: bash tests/ops/check.sh   (from anywhere; exits non-zero if a check fails)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

# --- tools -------------------------------------------------------------------------------
missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
if ((${#missing[@]} > 0)); then
  echo "==> Installing ${missing[*]} (apt-get)"
  sudo=()
  if [[ "$(id -u)" != 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The demo seeder's test uses the root's `mongodb` driver.
if [[ ! -d node_modules/mongodb ]]; then
  echo "==> Installing the root npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
if [[ ! -f tests/ops/node_modules/.package-lock.json || tests/ops/package-lock.json -nt tests/ops/node_modules/.package-lock.json ]]; then
  echo "==> Installing tests/ops npm packages"
  npm ci --prefix tests/ops --no-audit --no-fund --loglevel=error
fi

# --- checks ------------------------------------------------------------------------------
passed=0
failed=0
failures=()
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

check() {
  local name="$1"
  shift
  if "$@" >"$work/out" 2>&1; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "FAIL $name"
    sed 's/^/     /' "$work/out"
  fi
}

compose_config() {
  docker-compose -f docker-compose.yml --env-file .env.example config -q
}

# Without the secrets in .env, `config` must refuse with a message naming the variable.
compose_requires_secrets() {
  : >"$work/empty.env"
  if env -u ZENITH_API_KEY -u CLICKHOUSE_PASSWORD -u GRAFANA_ADMIN_PASSWORD \
    docker-compose -f docker-compose.yml --env-file "$work/empty.env" config -q >"$work/missing" 2>&1; then
    echo "docker-compose config accepted a missing ZENITH_API_KEY"
    return 1
  fi
  grep -q "ZENITH_API_KEY" "$work/missing" || { cat "$work/missing"; return 1; }
}

# prometheus.yml names credentials_file zenith_api_key, which the container's entrypoint
# writes at start; promtool checks that it exists, so the check runs on a copy beside one.
promtool_config() {
  mkdir -p "$work/prometheus"
  cp ops/prometheus/prometheus.yml ops/prometheus/alerts.yml "$work/prometheus/"
  printf 'placeholder' >"$work/prometheus/zenith_api_key"
  promtool check config "$work/prometheus/prometheus.yml"
}

# ops/Dockerfile (like scripts/run.sh) installs the dashboard with `npm ci`, which refuses a
# lock file out of step with package.json; --dry-run checks that in a copy in seconds.
frontend_lock_in_sync() {
  mkdir -p "$work/frontend"
  cp frontend/package.json frontend/package-lock.json "$work/frontend/"
  (cd "$work/frontend" && npm ci --dry-run --ignore-scripts --no-audit --no-fund --loglevel=error)
}

check "docker-compose config (with .env.example)" compose_config
check "docker-compose config refuses a missing ZENITH_API_KEY" compose_requires_secrets
check "frontend/package-lock.json is in step with package.json (npm ci in ops/Dockerfile)" frontend_lock_in_sync
check "promtool check config ops/prometheus/prometheus.yml" promtool_config
check "promtool check rules ops/prometheus/alerts.yml" promtool check rules ops/prometheus/alerts.yml
check "promtool test rules ops/prometheus/alerts.test.yml" promtool test rules ops/prometheus/alerts.test.yml

# node:test checks, counted one by one. seed-check.mjs and live-check.mjs start the test
# servers (tests/node/test-servers.mjs: the newest build, else dotnet run); live-check.mjs
# also runs Zenith (ZENITH_SERVICE_DLL, else the newest build) and Prometheus.
node_status=0
node --test --test-reporter=tap --test-concurrency=1 \
  tests/ops/grafana-check.mjs tests/ops/dockerfile-check.mjs tests/ops/seed-check.mjs tests/ops/live-check.mjs \
  >"$work/node.tap" 2>&1 || node_status=$?
while IFS= read -r line; do
  if [[ "$line" =~ ^ok\ [0-9]+\ -\ (.*)$ ]]; then
    passed=$((passed + 1))
    echo "ok   ${BASH_REMATCH[1]}"
  elif [[ "$line" =~ ^not\ ok\ [0-9]+\ -\ (.*)$ ]]; then
    failed=$((failed + 1))
    failures+=("${BASH_REMATCH[1]}")
    echo "FAIL ${BASH_REMATCH[1]}"
  fi
done <"$work/node.tap"
if ((node_status != 0)); then
  # Show the runner's own account of what failed (assertion diffs), or all of its output
  # when no test reported (a file that does not load).
  if grep -q '^not ok ' "$work/node.tap"; then
    awk '/^not ok /{show=1} /^(ok |# Subtest)/{show=0} show' "$work/node.tap" | sed 's/^/     /'
  else
    sed 's/^/     /' "$work/node.tap"
  fi
  if ! grep -q '^not ok ' "$work/node.tap"; then
    failed=$((failed + 1))
    failures+=("node --test tests/ops (exit $node_status)")
  fi
fi

echo
if ((failed > 0)); then
  printf 'failed: %s\n' "${failures[@]}"
fi
echo "ops: $passed passed, $failed failed"
((failed == 0))
