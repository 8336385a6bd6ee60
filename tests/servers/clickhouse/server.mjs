#!/usr/bin/env node
// A ClickHouse HTTP server for tests: the real ClickHouse engine (chdb, embedded) behind
// ClickHouse's HTTP interface, so unmodified clients (ClickHouse.Driver, @clickhouse/client)
// talk to it as to clickhouse-server.
//
//   node tests/servers/clickhouse/server.mjs [--port 0] [--host 127.0.0.1] [--data <dir>]
//        [--user default] [--password ''] [--connections 4] [--ignore-stdin]
//
// Prints `READY http://<host>:<port>` once it accepts requests. Exits when stdin closes (so a
// dying parent never leaves it behind; --ignore-stdin turns that off), on SIGTERM and on SIGINT.
// Without --data it works in a temporary directory that is removed on exit.
// ZENITH_CLICKHOUSE_TRACE=1 prints one line per INSERT on stderr: bytes, time receiving the body
// (straight into a spool file), waiting for a connection, in the engine, and the process's CPU.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from './engine.mjs';
import { createHandler } from './handler.mjs';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    data: { type: 'string' },
    user: { type: 'string', default: 'default' },
    password: { type: 'string', default: '' },
    connections: { type: 'string', default: '4' },
    'ignore-stdin': { type: 'boolean', default: false },
  },
  strict: true,
});

const port = Number(args.port);
const connections = Number(args.connections);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, got '${args.port}'`);
if (!Number.isInteger(connections) || connections < 1) fail(`--connections must be a positive integer, got '${args.connections}'`);

const temporary = args.data === undefined;
const dataDir = args.data ?? mkdtempSync(join(tmpdir(), 'zenith-clickhouse-'));
// INSERT payloads are staged in files for the engine to read; tmpfs keeps that off the disk.
const spoolDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'zenith-clickhouse-spool-'));
const engine = await Engine.open(dataDir, spoolDir, connections);
const server = createServer({ keepAliveTimeout: 30_000 }, createHandler(engine, { user: args.user, password: args.password }));
// Bulk inserts send tens of megabytes per request; the default request timeout would cut them off.
server.requestTimeout = 0;

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  try { engine.close(); } catch { /* the process is ending */ }
  rmSync(spoolDir, { recursive: true, force: true });
  if (temporary) rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (!args['ignore-stdin']) {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

server.listen(port, args.host, () => {
  const address = server.address();
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  process.stdout.write(`READY http://${host}:${address.port}\n`);
});

function fail(message) {
  process.stderr.write(`server.mjs: ${message}\n`);
  process.exit(2);
}
