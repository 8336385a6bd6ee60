#!/usr/bin/env bash
# Refreshes docs/screenshots from the browser tests' own screenshots: the dashboard as the tests drive
# it against the real service and test servers. Needs what the browser tests need (a Release build of
# the solution and `npm run --prefix frontend build`).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ZENITH_E2E_SCREENSHOTS="$out" node --test --test-concurrency=1 tests/e2e/dashboard.test.mjs
# test's name → the README's name
while read -r from to; do
  cp "$out/$from.png" "docs/screenshots/$to.png"
done <<'NAMES'
05-connectors-list connectors-list
04-connector-detail connector-detail
04-connector-detail-narrow connector-detail-narrow
03-form-test-connection connector-form
02-validation-error validation-error
07-failed-run failed-run
09-delete-confirmation-narrow narrow-delete
16-run-progress run-progress
17-schema-tab schema-tab
NAMES
echo "docs/screenshots refreshed"
