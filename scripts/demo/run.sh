#!/usr/bin/env bash
# `npm run demo`: builds what the demo needs (as the run command does, plus the test servers),
# then runs scripts/demo/run.mjs. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm ci --no-audit --no-fund
npm ci --prefix frontend --no-audit --no-fund
npm run --prefix frontend build
dotnet publish backend/Zenith.Service -c Release -o .build/zenith --nologo
dotnet build tests/Zenith.TestServers -c Release --nologo -clp:ErrorsOnly
exec node scripts/demo/run.mjs
