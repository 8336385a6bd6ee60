#!/usr/bin/env node
// The demo: starts the test servers, seeds monitoring.visited_sites (~100,000 events shaped like
// seed 001's data, then new and updated events every second), starts Zenith with a connector
// already configured, and reports the rows arriving in ClickHouse until Ctrl-C.
// Run through `npm run demo`, which builds what is missing first (scripts/demo/run.sh).
// Zenith listens on 8080 (ZENITH_DEMO_PORT), or on a free port when that one is taken; its data lives
// in a temporary directory that is removed on Ctrl-C and SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startTestServers } from '../../tests/node/test-servers.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const wantedPort = Number(process.env.ZENITH_DEMO_PORT ?? 8080);
const count = Number(process.env.ZENITH_DEMO_COUNT ?? 100_000);
const zenithDll = process.env.ZENITH_DEMO_DLL ?? join(repoRoot, '.build', 'zenith', 'zenith.dll');

const children = [];
let servers;
let dataDir;
let stopping = false;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping the demo...');
  for (const child of [...children].reverse()) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : null)));
  if (servers) await servers.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  console.log('Stopped; the demo\'s data is removed.');
  process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function fail(message) {
  console.error(`demo: ${message}`);
  await stop(1);
}

function start(command, args, env = {}) {
  const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  child.once('exit', (code, signal) => {
    if (!stopping) void fail(`${args[0]} exited unexpectedly (code ${code}, signal ${signal})`);
  });
  return child;
}

/** Resolves with the first stdout line of `child` that matches `pattern`; `echo` sees each line up to it. */
function waitForLine(child, pattern, echo = () => {}) {
  return new Promise((resolveLine) => {
    let matched = false;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (matched) return;
      echo(line);
      const found = pattern.exec(line);
      if (found) {
        matched = true;
        resolveLine(found);
      }
    });
  });
}

/** `port` when nothing listens on it, else a free one. */
function choosePort(port) {
  const listen = (p) => new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(p, '127.0.0.1', () => {
      const chosen = server.address().port;
      server.close(() => resolvePort(chosen));
    });
  });
  return listen(port).catch((error) => (error.code === 'EADDRINUSE' ? listen(0) : Promise.reject(error)));
}

const time = () => new Date().toLocaleTimeString('en-GB', { hour12: false });
const number = (n) => Number(n).toLocaleString('en');

console.log('Starting the MongoDB and ClickHouse test servers...');
servers = await startTestServers(['--both']);
console.log(`  MongoDB    ${servers.mongo}\n  ClickHouse ${servers.clickhouse}`);

console.log(`Seeding ${number(count)} events into monitoring.visited_sites...`);
const seeder = start('node', ['scripts/demo/seed.mjs', '--uri', servers.mongo, '--count', String(count), '--live']);
await waitForLine(seeder, /^seeded /, (line) => console.log(`  [seed] ${line}`));

const port = await choosePort(wantedPort);
if (port !== wantedPort) console.log(`Port ${wantedPort} is taken: Zenith listens on ${port} instead (ZENITH_DEMO_PORT picks another).`);
const zenithUrl = `http://127.0.0.1:${port}`;
dataDir = mkdtempSync(join(tmpdir(), 'zenith-demo-'));
const zenith = start('dotnet', [zenithDll, 'serve'], {
  ZENITH_metadata_storage__path: join(dataDir, 'zenith_metadata.db'),
  ZENITH_server__urls: zenithUrl,
  ASPNETCORE_CONTENTROOT: join(repoRoot, 'backend', 'Zenith.Service'),
});
// Our own Zenith says where it listens (whatever else may answer on that port, this one is ours); the rest
// of its console log stays out of the demo's output.
const [, listening] = await waitForLine(zenith, /Zenith listening on (\S+)/);
if (!listening.split(',').some((url) => url.replace(/\/$/, '') === zenithUrl)) await fail(`Zenith listens on ${listening}, not ${zenithUrl}`);

const response = await fetch(`${zenithUrl}/api/connectors`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    name: 'visited_sites',
    source: { uri: servers.mongo, database: 'monitoring', collection: 'visited_sites' },
    destination: { uri: servers.clickhouse, database: 'analytics', table: 'visited_sites' },
    mode: 'incremental_timestamp',
    cursorField: 'updated_at',
    intervalSeconds: 5,
    batchSize: 10000,
  }),
});
if (!response.ok) await fail(`could not create the demo connector: ${response.status} ${await response.text()}`);

console.log(`
Zenith is running with the connector "visited_sites" (MongoDB monitoring.visited_sites → ClickHouse analytics.visited_sites, every 5 s).
  Dashboard   ${zenithUrl}/
  API docs    ${zenithUrl}/docs
  Metrics     ${zenithUrl}/metrics
  ClickHouse  ${servers.clickhouse}  (e.g. SELECT count() FROM analytics.visited_sites FINAL)
  Data        ${dataDir} (removed when the demo stops)
New events arrive every second. Ctrl-C stops everything.
`);

// A status line per change: the rows in ClickHouse and the latest run, in the dashboard's words.
const statuses = { queued: 'Queued', running: 'Running', succeeded: 'Succeeded', failed: 'Failed', cancelled: 'Cancelled' };
let previous = '';
setInterval(async () => {
  try {
    const [connector] = await fetch(`${zenithUrl}/api/connectors`).then((r) => r.json());
    const run = connector?.lastResult;
    const rows = connector?.statistics?.rows;
    const table = rows === null || rows === undefined ? 'table not created yet' : `${number(rows)} rows in ClickHouse`;
    const last = !run
      ? 'first run pending'
      : run.status === 'running'
        ? `run ${run.id} Running: ${number(run.rowsRead)}${run.estimatedRows === null ? '' : ` of ~${number(run.estimatedRows)}`} read`
        : `run ${run.id} ${statuses[run.status] ?? run.status}: ${number(run.rowsWritten)} rows written in ${number(run.durationMs ?? 0)} ms${run.error ? ` — ${run.error}` : ''}`;
    const line = `${table} · ${last}`;
    if (line !== previous) console.log(`  ${time()}  ${line}`);
    previous = line;
  } catch { /* Zenith is stopping */ }
}, 2000).unref();
