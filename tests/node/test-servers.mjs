// Starts Zenith's test servers (tests/Zenith.TestServers) as a child process for Node tests.
// The process prints "MONGO <uri>", "CLICKHOUSE <url>", "CLICKHOUSE_NATIVE <host:port>", then "READY", and exits
// when its stdin closes. If it exits before that (e.g. the ClickHouse server died), that is said on stderr at
// once and stop() rejects with it, so a test run fails loudly instead of waiting on a dead server.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const project = join(repoRoot, 'tests', 'Zenith.TestServers');

/** Modification time of the newest source file of the servers' project (bin/ and obj/ excluded). */
function newestSourceMtime(dir = project) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (entry.name !== 'bin' && entry.name !== 'obj') newest = Math.max(newest, newestSourceMtime(join(dir, entry.name)));
    } else if (/\.(cs|csproj)$/.test(entry.name)) {
      newest = Math.max(newest, statSync(join(dir, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/**
 * The newest Zenith.TestServers.dll built from the current sources (ZENITH_TEST_SERVERS_DLL wins),
 * or null when none is, so a stale build is never tested by mistake.
 */
export function findServersDll() {
  const fromEnv = process.env.ZENITH_TEST_SERVERS_DLL;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`ZENITH_TEST_SERVERS_DLL points to a missing file: ${fromEnv}`);
    return fromEnv;
  }
  const candidates = ['Release', 'Debug']
    .map((config) => join(project, 'bin', config, 'net10.0', 'Zenith.TestServers.dll'))
    .filter((path) => existsSync(path) && statSync(path).mtimeMs >= newestSourceMtime());
  candidates.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return candidates[0] ?? null;
}

/**
 * Starts the servers named by `flags` (e.g. ['--mongo', '--port', '0']) and resolves once READY
 * with { mongo, clickhouse, stop }. Without a build, falls back to `dotnet run` (which builds).
 */
export async function startTestServers(flags, { readyTimeoutMs = 120_000 } = {}) {
  const dll = findServersDll();
  const [command, args] = dll
    ? ['dotnet', [dll, ...flags, '--exit-on-stdin-close']]
    : ['dotnet', ['run', '--project', project, '--', ...flags, '--exit-on-stdin-close']];
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  let stderr = '';
  // The last 64 KB: enough to say why a server failed, bounded for long runs.
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-65_536); });
  let stopping = false;
  let died = null;
  exited.then(({ code, signal }) => {
    if (stopping) return;
    died = new Error(`the test servers exited while in use (code ${code}, signal ${signal}):\n${stderr}`);
    process.stderr.write(`${died.message}\n`);
  });

  const endpoints = {};
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise((resolveReady, rejectReady) => {
    const timer = setTimeout(() => rejectReady(new Error(`test servers not READY within ${readyTimeoutMs} ms\n${stderr}`)), readyTimeoutMs);
    lines.on('line', (line) => {
      const [key, value] = line.split(' ', 2);
      if (key === 'MONGO') endpoints.mongo = value;
      if (key === 'CLICKHOUSE') endpoints.clickhouse = value;
      if (key === 'CLICKHOUSE_NATIVE') endpoints.clickhouseNative = value;
      if (key === 'READY') {
        clearTimeout(timer);
        resolveReady();
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rejectReady(new Error(`test servers exited before READY (code ${code}, signal ${signal})\n${stderr}`));
    });
  });
  await ready;

  return {
    ...endpoints,
    /** Closes stdin, which makes the servers shut down; resolves with the exit code (rejects if they had died). */
    async stop() {
      stopping = died === null;
      child.stdin.end();
      const { code } = await exited;
      if (died) throw died;
      return code;
    },
  };
}
