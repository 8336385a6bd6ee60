// The demo as a user runs it, with port 8080 already taken (as it often is): it picks a free port and
// says which, the Zenith answering there is its own, rows arrive, and SIGTERM leaves no data behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';

const repoRoot = resolve(import.meta.dirname, '..', '..');

/** The service as `dotnet build` left it (the demo's own run.sh publishes it; the test does not need to). */
function builtZenith() {
  const candidates = ['Release', 'Debug']
    .map((config) => join(repoRoot, 'backend', 'Zenith.Service', 'bin', config, 'net10.0', 'zenith.dll'))
    .filter((path) => existsSync(path))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  assert.ok(candidates.length > 0, 'build the service first: dotnet build Zenith.sln -c Release');
  return candidates[0];
}

/** Holds 8080 for the test; when something else already listens there, it is taken all the same. */
function takePort8080() {
  return new Promise((resolveServer) => {
    const server = createServer();
    server.once('error', () => resolveServer(null));
    server.listen(8080, '127.0.0.1', () => resolveServer(server));
  });
}

const demoDirs = () => new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('zenith-demo-')));

test('the demo picks a free port when 8080 is taken, its own Zenith answers there, and stopping it removes its data', { timeout: 300_000 }, async () => {
  const blocker = await takePort8080();
  const dirsBefore = demoDirs();
  const demo = spawn('node', ['scripts/demo/run.mjs'], {
    cwd: repoRoot,
    env: { ...process.env, ZENITH_DEMO_COUNT: '2000', ZENITH_DEMO_PORT: '8080', ZENITH_DEMO_DLL: builtZenith() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  let stderr = '';
  demo.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((r) => demo.once('exit', (code, signal) => r({ code, signal })));
  const waiters = [];
  createInterface({ input: demo.stdout }).on('line', (line) => {
    lines.push(line);
    for (const w of waiters) if (!w.done && w.pattern.test(line)) { w.done = true; w.resolve(line.match(w.pattern)); }
  });
  const lineMatching = (pattern, what) => {
    const seen = lines.find((line) => pattern.test(line));
    if (seen) return Promise.resolve(seen.match(pattern));
    return Promise.race([
      new Promise((resolveLine) => waiters.push({ pattern, resolve: resolveLine, done: false })),
      exited.then(({ code }) => { throw new Error(`the demo exited (${code}) before ${what}:\n${lines.join('\n')}\n${stderr}`); }),
    ]);
  };

  try {
    const [, url, port] = await lineMatching(/^ {2}Dashboard {3}(http:\/\/127\.0\.0\.1:(\d+))\/$/, 'printing the dashboard address');
    assert.notEqual(Number(port), 8080);
    assert.ok(lines.includes(`Port 8080 is taken: Zenith listens on ${port} instead (ZENITH_DEMO_PORT picks another).`), lines.join('\n'));
    const [, dataDir] = await lineMatching(/^ {2}Data {8}(\S+) \(removed when the demo stops\)$/, 'printing its data directory');
    assert.ok(existsSync(join(dataDir, 'zenith_metadata.db')), `${dataDir} holds the metadata`);

    // Its own Zenith answers: the demo's connector, and rows arriving in ClickHouse.
    const connectors = await fetch(`${url}/api/connectors`).then((r) => r.json());
    assert.deepEqual(connectors.map((c) => c.name), ['visited_sites']);
    await lineMatching(/^ {2}\d\d:\d\d:\d\d {2}[1-9][\d,]* rows in ClickHouse · run \d+ Succeeded: /, 'a status line with rows in ClickHouse');
    const said = lines.filter((line) => line.trim() !== '');
    assert.equal(new Set(said).size, said.length, `every line once:\n${lines.join('\n')}`);

    demo.kill('SIGTERM');
    const { code } = await exited;
    assert.equal(code, 0, stderr);
    assert.equal(lines.at(-1), "Stopped; the demo's data is removed.");
    assert.equal(existsSync(dataDir), false, `${dataDir} is removed`);
    assert.deepEqual([...demoDirs()].filter((d) => !dirsBefore.has(d)), [], 'no demo directory left in the temp directory');
    await assert.rejects(fetch(`${url}/health/live`), 'nothing listens where the demo was');
  } finally {
    // A failed assertion still stops the demo the way a user does, so it cleans up after itself.
    if (demo.exitCode === null && demo.signalCode === null) {
      demo.kill('SIGTERM');
      await exited;
    }
    blocker?.close();
  }
});
