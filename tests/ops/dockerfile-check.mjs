// Keeps ops/Dockerfile in step with the README's run command (scripts/run.sh) and with the
// repository: no Docker engine runs in CI, so these are the checks that can be made without one.
// Run: node --test tests/ops/dockerfile-check.mjs
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import YAML from "yaml";
import { repoRoot } from "./known-metrics.mjs";

const dockerfile = readFileSync(join(repoRoot, "ops/Dockerfile"), "utf8");
const runScript = readFileSync(join(repoRoot, "scripts/run.sh"), "utf8");
const dockerignore = readFileSync(join(repoRoot, ".dockerignore"), "utf8")
  .split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));

/** Instructions as [keyword, arguments], continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"))
  .map((l) => {
    const [keyword, ...rest] = l.split(/\s+/);
    return [keyword.toUpperCase(), rest.join(" ")];
  });
const runs = instructions.filter(([k]) => k === "RUN").map(([, a]) => a);
const squash = (s) => s.replace(/\s+/g, " ");

test("the image builds the dashboard and the service with the run command's steps", () => {
  // The run command's build steps, as scripts/run.sh spells them (without the output folder).
  const steps = [
    /npm ci --prefix frontend/,
    /npm run --prefix frontend build/,
    /dotnet publish backend\/Zenith\.Service -c Release/,
  ];
  for (const step of steps) {
    assert.match(squash(runScript), step, `scripts/run.sh no longer runs ${step}: update ops/Dockerfile and this check together`);
    assert.ok(runs.some((r) => step.test(squash(r))), `ops/Dockerfile does not run ${step}`);
  }
});

test("the published dashboard is the folder Vite builds into", () => {
  const vite = readFileSync(join(repoRoot, "frontend/vite.config.ts"), "utf8");
  const outDir = /outDir:\s*["']([^"']+)["']/.exec(vite)?.[1];
  assert.equal(outDir, "../backend/Zenith.Service/wwwroot");
  assert.match(dockerfile, /COPY --from=dashboard \/src\/backend\/Zenith\.Service\/wwwroot backend\/Zenith\.Service\/wwwroot/);
});

test("the entry point runs the service's assembly with the command that starts the service", () => {
  const csproj = readFileSync(join(repoRoot, "backend/Zenith.Service/Zenith.Service.csproj"), "utf8");
  const assembly = /<AssemblyName>([^<]+)<\/AssemblyName>/.exec(csproj)?.[1];
  const entrypoint = instructions.filter(([k]) => k === "ENTRYPOINT").at(-1)?.[1];
  assert.equal(entrypoint, `["dotnet", "${assembly}.dll", "serve"]`);
  assert.match(runScript, new RegExp(`${assembly}\\.dll serve$`, "m"), "scripts/run.sh starts the service the same way");
});

test("every file the build copies from the context exists and is not ignored", () => {
  const sources = instructions
    .filter(([k, a]) => k === "COPY" && !a.startsWith("--from"))
    .flatMap(([, a]) => a.split(/\s+/).slice(0, -1));
  assert.ok(sources.length > 0);
  for (const source of sources) {
    assert.ok(existsSync(join(repoRoot, source)), `COPY ${source}: no such file in the repository`);
    const top = source.replace(/\/$/, "");
    assert.ok(!dockerignore.includes(top), `COPY ${source} is excluded by .dockerignore`);
  }
});

test("the runtime stage runs as a non-root user with the metadata on /data", () => {
  const lastFrom = instructions.map(([k]) => k).lastIndexOf("FROM");
  const runtime = instructions.slice(lastFrom);
  assert.match(runtime[0][1], /^mcr\.microsoft\.com\/dotnet\/aspnet:10\.0/);
  const user = runtime.filter(([k]) => k === "USER").at(-1)?.[1];
  assert.ok(user !== undefined && !/^(root|0)$/.test(user), "the runtime stage must set a non-root USER");
  assert.ok(runtime.some(([k, a]) => k === "VOLUME" && a === "/data"));
  const compose = YAML.parse(readFileSync(join(repoRoot, "docker-compose.yml"), "utf8"));
  const zenith = compose.services.zenith;
  assert.equal(zenith.build.dockerfile, "ops/Dockerfile");
  assert.equal(zenith.environment.ZENITH_metadata_storage__path, "/data/zenith_metadata.db");
  assert.ok(zenith.volumes.some((v) => v.endsWith(":/data")), "the zenith service must keep /data on a volume");
});
