// Starts the real processes the browser tests drive: the test servers (MongoDB wire-protocol
// server + chdb-based ClickHouse) and the Zenith service, each from its build output.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

export const repoRoot = resolve(import.meta.dirname, "../../..");

/** The newest build of a project's assembly (Release or Debug; an env var can name another). */
function builtAssembly(envVar, project, dll) {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${envVar}=${fromEnv} does not exist.`);
    return fromEnv;
  }
  const candidates = ["Release", "Debug"]
    .map((config) => join(repoRoot, project, "bin", config, "net10.0", dll))
    .filter((path) => existsSync(path))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (candidates.length === 0) {
    throw new Error(`${dll} is not built: run \`dotnet build ${project} -c Release\` first (or set ${envVar} to its path).`);
  }
  return candidates[0];
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Runs until a line matching `until` appears on stdout; rejects with the output if it exits first. */
function startProcess(name, command, args, options, until) {
  const child = spawn(command, args, { ...options, stdio: ["pipe", "pipe", "pipe"] });
  const output = [];
  const lines = createInterface({ input: child.stdout });
  child.stderr.on("data", (chunk) => output.push(String(chunk)));
  const ready = new Promise((resolveReady, reject) => {
    const matched = [];
    lines.on("line", (line) => {
      output.push(line);
      matched.push(line);
      if (until(line)) resolveReady(matched);
    });
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code} before it was ready:\n${output.join("\n").slice(-4000)}`)));
    child.once("error", reject);
  });
  return { child, ready, output };
}

/** `dotnet Zenith.TestServers.dll --both`: resolves with the MongoDB URI and the ClickHouse URL. */
export async function startTestServers() {
  const dll = builtAssembly("ZENITH_E2E_TESTSERVERS_DLL", "tests/Zenith.TestServers", "Zenith.TestServers.dll");
  const { child, ready } = startProcess("the test servers", "dotnet", [dll, "--both", "--exit-on-stdin-close"], { cwd: repoRoot }, (line) => line === "READY");
  const lines = await ready;
  const value = (prefix) => lines.find((line) => line.startsWith(prefix))?.slice(prefix.length).trim();
  return {
    mongoUri: value("MONGO "),
    clickHouseUrl: value("CLICKHOUSE "),
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.stdin.end();
      await exited;
    },
  };
}

/**
 * The Zenith service on a free port with its metadata in a fresh temporary directory, or in `dataDir` (which it then leaves
 * in place, for a restart on the same files). It is up when `waitFor` answers 200 (a service that reports a problem in
 * /health/ready can wait for /health/live).
 */
export async function startZenith(extraEnv = {}, { dataDir: given, waitFor = "/health/ready" } = {}) {
  const dll = builtAssembly("ZENITH_E2E_SERVICE_DLL", "backend/Zenith.Service", "zenith.dll");
  if (!existsSync(join(repoRoot, "backend/Zenith.Service/wwwroot/index.html"))) {
    throw new Error("The dashboard is not built: run `npm ci && npm run build` in frontend/ first.");
  }
  const port = await freePort();
  const dataDir = given ?? mkdtempSync(join(tmpdir(), "zenith-e2e-"));
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    ASPNETCORE_ENVIRONMENT: "Production",
    // The dashboard is served from the service project's wwwroot, where `npm run build` puts it.
    ASPNETCORE_CONTENTROOT: join(repoRoot, "backend/Zenith.Service"),
    ZENITH_server__urls: url,
    ZENITH_metadata_storage__path: join(dataDir, "zenith_metadata.db"),
    ...extraEnv,
  };
  const child = spawn("dotnet", [dll, "serve"], { cwd: dataDir, env, stdio: ["ignore", "pipe", "pipe"] });
  const output = [];
  child.stdout.on("data", (chunk) => output.push(String(chunk)));
  child.stderr.on("data", (chunk) => output.push(String(chunk)));
  const exited = new Promise((r) => child.once("exit", r));

  // Ready when /health/ready says so; an early exit fails with the service's own words.
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Zenith exited with ${child.exitCode}:\n${output.join("").slice(-4000)}`);
    try {
      const response = await fetch(`${url}${waitFor}`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`Zenith did not become ready at ${url}:\n${output.join("").slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    dataDir,
    output,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      if (given === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
