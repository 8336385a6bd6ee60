#!/usr/bin/env bash
# `npm run demo`: builds what the demo needs (as the run command does, plus the test servers) when
# it is missing or older than its sources, then runs scripts/demo/run.mjs. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/../.."

# True when $1 exists and no file under the other arguments is newer (build output and installs aside).
fresh() {
  local target=$1; shift
  [ -e "$target" ] || return 1
  [ -z "$(find "$@" -type f -newer "$target" -not -path '*/node_modules/*' -not -path '*/bin/*' -not -path '*/obj/*' -print -quit 2>/dev/null)" ]
}
step() { printf '==> %s\n' "$*"; }

# Installed when npm finds what package.json asks for (a checkout's newer lock file alone is no reason to reinstall).
npm ls --silent >/dev/null 2>&1 || { step "Installing npm packages"; npm ci --no-audit --no-fund; }
npm ls --prefix frontend --silent >/dev/null 2>&1 ||
  { step "Installing the dashboard's npm packages"; npm ci --prefix frontend --no-audit --no-fund; }
fresh backend/Zenith.Service/wwwroot/index.html frontend/src frontend/index.html frontend/vite.config.ts ||
  { step "Building the dashboard"; npm run --prefix frontend build; }
fresh .build/zenith/zenith.dll backend Directory.Build.props Directory.Packages.props ||
  { step "Building the service"; dotnet publish backend/Zenith.Service -c Release -o .build/zenith --nologo; }
fresh tests/Zenith.TestServers/bin/Release/net10.0/Zenith.TestServers.dll tests/Zenith.TestServers Directory.Build.props Directory.Packages.props ||
  { step "Building the test servers"; dotnet build tests/Zenith.TestServers -c Release --nologo -clp:ErrorsOnly; }
exec node scripts/demo/run.mjs
