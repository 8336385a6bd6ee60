#!/usr/bin/env bash
# The run command: installs what Zenith needs, builds the dashboard and the service, and starts
# Zenith on http://127.0.0.1:8080 with its metadata in ./zenith_metadata.db (see zenith.json).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> Installing the dashboard's npm packages"
npm ci --prefix frontend --no-audit --no-fund
echo "==> Building the dashboard into the service's static files"
npm run --prefix frontend build
echo "==> Building the service (Release)"
dotnet publish backend/Zenith.Service -c Release -o .build/zenith --nologo
echo "==> Starting Zenith (Ctrl-C stops it)"
exec dotnet .build/zenith/zenith.dll serve
