// The test server through a second, independent client: @clickhouse/client (the official Node one).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createClient } from '@clickhouse/client';

const script = fileURLToPath(new URL('./server.mjs', import.meta.url));
let server;
let url;

before(async () => {
  server = spawn(process.execPath, [script, '--port', '0'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: server.stdout });
  const [line] = await Promise.race([
    once(lines, 'line'),
    once(server, 'exit').then(([code]) => { throw new Error(`server.mjs exited with ${code} before READY`); }),
  ]);
  assert.match(line, /^READY http:\/\/127\.0\.0\.1:\d+$/);
  url = line.slice('READY '.length);
});

after(async () => {
  server.stdin.end(); // closing stdin is how the server is told to stop
  if (server.exitCode === null) await once(server, 'exit');
});

test('inserts JSONEachRow rows and selects them back', async () => {
  const client = createClient({ url });
  try {
    const db = `node_${Date.now()}`;
    await client.command({ query: `CREATE DATABASE ${db}` });
    await client.command({ query: `CREATE TABLE ${db}.t (id UInt32, name Nullable(String), tags Array(String)) ENGINE = ReplacingMergeTree ORDER BY id` });
    const rows = [
      { id: 1, name: 'ünïcödé 🎉', tags: ['a', "b'c"] },
      { id: 2, name: null, tags: [] },
      { id: 3, name: 'line\nbreak', tags: ['x'] },
    ];
    await client.insert({ table: `${db}.t`, values: rows, format: 'JSONEachRow' });

    const result = await client.query({ query: `SELECT * FROM ${db}.t ORDER BY id`, format: 'JSONEachRow' });

    assert.deepEqual(await result.json(), rows);
    await client.command({ query: `DROP DATABASE ${db}` });
  } finally {
    await client.close();
  }
});

test('binds query parameters', async () => {
  const client = createClient({ url });
  try {
    const result = await client.query({
      query: 'SELECT {s:String} AS s, {n:UInt8} + 1 AS n',
      query_params: { s: "it's\ttabbed", n: 41 },
      format: 'JSONEachRow',
    });

    assert.deepEqual(await result.json(), [{ s: "it's\ttabbed", n: 42 }]);
  } finally {
    await client.close();
  }
});

test('reports an unknown table as ClickHouse error 60', async () => {
  const client = createClient({ url });
  try {
    await assert.rejects(client.query({ query: 'SELECT * FROM no_such_table' }), (error) => {
      assert.equal(error.code, '60');
      assert.equal(error.type, 'UNKNOWN_TABLE');
      return true;
    });
  } finally {
    await client.close();
  }
});

test('answers ping', async () => {
  const client = createClient({ url });
  try {
    assert.equal((await client.ping()).success, true);
  } finally {
    await client.close();
  }
});
