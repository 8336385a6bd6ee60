#!/usr/bin/env node
// The demo: starts the test servers, seeds monitoring.visited_sites (~100,000 events shaped like
// seed 001's data, then new and updated events every second), starts Zenith with a connector
// already configured, and reports the rows arriving in ClickHouse until Ctrl-C.
// Run through `npm run demo`, which builds everything first (scripts/demo/run.sh).
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startTestServers } from '../../tests/node/test-servers.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const port = Number(process.env.ZENITH_DEMO_PORT ?? 8080);
const zenithUrl = `http://127.0.0.1:${port}`;
const count = Number(process.env.ZENITH_DEMO_COUNT ?? 100_000);
const dataDir = join(repoRoot, '.demo');

const children = [];
let servers;
let stopping = false;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping the demo...');
  for (const child of children.reverse()) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : null)));
  if (servers) await servers.stop();
  process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

function start(command, args, env = {}) {
  const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  child.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${args[0]} exited unexpectedly (code ${code}, signal ${signal})`);
      stop(1);
    }
  });
  return child;
}

/** Resolves with the first stdout line of `child` that matches `pattern`, echoing the lines up to it with a prefix. */
function waitForLine(child, prefix, pattern) {
  return new Promise((resolveLine) => {
    let matched = false;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (matched) return;
      console.log(`${prefix} ${line}`);
      if (pattern.test(line)) {
        matched = true;
        resolveLine(line);
      }
    });
  });
}

async function until(what, probe, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

console.log('Starting the MongoDB and ClickHouse test servers...');
servers = await startTestServers(['--both']);
console.log(`  MongoDB    ${servers.mongo}\n  ClickHouse ${servers.clickhouse}`);

const seeder = start('node', ['scripts/demo/seed.mjs', '--uri', servers.mongo, '--count', String(count), '--live']);
await waitForLine(seeder, '  [seed]', /^seeded /);

rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });
const zenith = start('dotnet', [join(repoRoot, '.build', 'zenith', 'zenith.dll'), 'serve'], {
  ZENITH_metadata_storage__path: join(dataDir, 'zenith_metadata.db'),
  ZENITH_server__urls: zenithUrl,
});
createInterface({ input: zenith.stdout }).on('line', () => {}); // console logs stay out of the demo's output
await until('Zenith', async () => (await fetch(`${zenithUrl}/health/ready`)).ok);

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
if (!response.ok) {
  console.error(`Could not create the demo connector: ${response.status} ${await response.text()}`);
  await stop(1);
}

console.log(`
Zenith is running with the connector "visited_sites" (MongoDB monitoring.visited_sites → ClickHouse analytics.visited_sites, every 5 s).
  Dashboard   ${zenithUrl}/
  API docs    ${zenithUrl}/docs
  Metrics     ${zenithUrl}/metrics
  ClickHouse  ${servers.clickhouse}  (e.g. SELECT count() FROM analytics.visited_sites FINAL)
New events arrive every second. Ctrl-C stops everything.
`);

const countSql = encodeURIComponent('SELECT count() FROM analytics.visited_sites FINAL');
setInterval(async () => {
  try {
    const rows = await fetch(`${servers.clickhouse}/?query=${countSql}`);
    const source = await fetch(`${zenithUrl}/api/connectors`).then((r) => r.json());
    const run = source[0]?.lastResult;
    const last = run ? `last run ${run.status}: ${run.rowsWritten} rows in ${run.durationMs} ms` : 'first run pending';
    if (rows.ok) console.log(`  rows in ClickHouse: ${(await rows.text()).trim()}  (${last})`);
  } catch { /* the table appears with the first sync */ }
}, 5000).unref();
