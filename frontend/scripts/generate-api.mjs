// Generates src/api/generated.ts from the service's committed OpenAPI document with the NSwag CLI
// (nswag.json). With --check it generates into a temporary file and fails when the committed
// client differs, so a stale client is caught in CI.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const committed = join(frontend, "src/api/generated.ts");
const document = resolve(frontend, "../backend/Zenith.Service/openapi.json");
const check = process.argv.includes("--check");

if (!existsSync(document)) {
  console.error(`The OpenAPI document ${document} is missing; the service commits it.`);
  process.exit(1);
}

// The nswag package is a devDependency of the repository root (node_modules/.bin/nswag).
const nswag = ["../node_modules/.bin/nswag", "node_modules/.bin/nswag"].map((p) => resolve(frontend, p)).find((p) => existsSync(p));
if (nswag === undefined) {
  console.error("The nswag CLI is not installed: run `npm ci` at the repository root.");
  process.exit(1);
}

const tempDir = check ? mkdtempSync(join(tmpdir(), "zenith-nswag-")) : null;
const output = tempDir === null ? committed : join(tempDir, "generated.ts");
try {
  const result = spawnSync(nswag, ["run", "nswag.json", "/runtime:Net100", `/variables:Output=${output}`], {
    cwd: frontend,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    console.error(result.stdout, result.stderr);
    console.error("nswag failed.");
    process.exit(1);
  }
  if (!check) {
    console.log(`Generated ${committed}`);
  } else if (!existsSync(committed) || readFileSync(committed, "utf8") !== readFileSync(output, "utf8")) {
    console.error("src/api/generated.ts is stale: run `npm run generate:api` in frontend/ and commit the result.");
    const diff = spawnSync("diff", ["-u", committed, output], { encoding: "utf8" });
    console.error(diff.stdout.split("\n").slice(0, 60).join("\n"));
    process.exit(1);
  } else {
    console.log("src/api/generated.ts matches the OpenAPI document.");
  }
} finally {
  if (tempDir !== null) rmSync(tempDir, { recursive: true, force: true });
}
