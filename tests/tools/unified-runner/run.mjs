#!/usr/bin/env node
// Runs MongoDB's unified-format spec tests against a server, through the Node driver.
//
//   node tests/tools/unified-runner/run.mjs [--uri mongodb://…] [--filter text] [--verbose] [--json out.json] <file-or-dir>…
//
// The spec files come from a checkout of mongodb/specifications (e.g. source/crud/tests/unified);
// their licence (CC BY-NC-SA) keeps them out of this repository, so paths are given on the command
// line or in MONGO_SPEC_TESTS (colon-separated). Without --uri the runner starts Zenith's MongoDB
// test server (tests/Zenith.TestServers) and stops it at the end.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { startTestServers } from '../../node/test-servers.mjs';
import { parseSpecFile, Runner } from './runner.mjs';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    uri: { type: 'string' },
    filter: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    json: { type: 'string' },
    'server-args': { type: 'string', default: '' },
  },
});

const roots = positionals.length > 0 ? positionals : (process.env.MONGO_SPEC_TESTS ?? '').split(':').filter(Boolean);
if (roots.length === 0) {
  console.error('usage: run.mjs [--uri URI] [--filter TEXT] [--verbose] [--json FILE] <spec file or directory>… (or set MONGO_SPEC_TESTS)');
  process.exit(2);
}
const files = roots.flatMap((root) => (statSync(root).isDirectory()
  ? readdirSync(root).filter((f) => f.endsWith('.json')).sort().map((f) => join(root, f))
  : [root]));

const servers = flags.uri ? null : await startTestServers(['--mongo', '--port', '0', ...flags['server-args'].split(' ').filter(Boolean)]);
const uri = flags.uri ?? servers.mongo;
const internal = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
let exitCode = 0;
try {
  await internal.connect();
  const admin = internal.db('admin');
  const build = await admin.command({ buildInfo: 1 });
  const hello = await admin.command({ hello: 1 });
  const server = {
    version: build.versionArray.slice(0, 3).join('.'),
    topology: hello.setName ? 'replicaset' : hello.msg === 'isdbgrid' ? 'sharded' : 'single',
  };
  console.log(`server ${server.version}, topology ${server.topology}, ${files.length} files`);
  const runner = new Runner(uri, internal, server);
  const totals = { passed: 0, failed: 0, skipped: 0, unsupported: 0 };
  const report = [];
  for (const file of files) {
    const parsed = parseSpecFile(readFileSync(file, 'utf8'));
    const results = await runner.runFile(parsed, { filter: flags.filter });
    const counts = { passed: 0, failed: 0, skipped: 0, unsupported: 0 };
    for (const r of results) {
      counts[r.status]++;
      totals[r.status]++;
    }
    if (results.length > 0) {
      console.log(`${basename(file)}: ${Object.entries(counts).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(', ')}`);
    }
    for (const r of results) {
      if (r.status === 'failed' || (flags.verbose && r.status !== 'passed')) console.log(`  ${r.status.toUpperCase()} ${r.description}: ${r.reason}`);
    }
    report.push({ file: basename(file), results });
  }
  const applicable = totals.passed + totals.failed + totals.unsupported;
  console.log(`\nunified tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.unsupported} unsupported by the runner, ${totals.skipped} not applicable (of ${applicable + totals.skipped}; ${totals.passed}/${applicable} applicable pass)`);
  if (flags.json) writeFileSync(flags.json, `${JSON.stringify({ server, totals, report }, null, 2)}\n`);
  exitCode = totals.failed > 0 ? 1 : 0;
} finally {
  await internal.close();
  if (servers) await servers.stop();
}
process.exit(exitCode);
