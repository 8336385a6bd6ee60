// The ClickHouse test server (ClickHouse's own HTTP server, run by chDB's library) through a second, independent
// client: @clickhouse/client (the official Node one), and raw HTTP for what the clients do not send.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import { createClient } from '@clickhouse/client';
import { startTestServers } from './test-servers.mjs';

let servers;
let url;

before(async () => {
  servers = await startTestServers(['--clickhouse']);
  url = servers.clickhouse;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
});

after(async () => {
  if (servers) assert.equal(await servers.stop(), 0, 'the server exits cleanly when stdin closes');
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

// RowBinary of `id UInt32, s Nullable(String)` rows whose strings hold bytes that break text
// handling (NUL, line breaks, invalid UTF-8); several chunks long so the body arrives in pieces.
function rowBinary(count) {
  const parts = [];
  for (let id = 0; id < count; id++) {
    const head = Buffer.alloc(5);
    head.writeUInt32LE(id, 0);
    if (id % 7 === 0) {
      head[4] = 1; // NULL
      parts.push(head);
      continue;
    }
    const s = Buffer.concat([Buffer.from(`row ${id} \0\n\t`), Buffer.from([0xff, 0xfe, id & 0xff])]);
    parts.push(head, Buffer.from([s.length]), s); // LEB128 length: all shorter than 128
  }
  return Buffer.concat(parts);
}

// A zstd frame of raw (stored) blocks: valid zstd that Node 20, which has no zstd, can produce.
function zstdStored(data) {
  const BLOCK = 128 * 1024;
  const parts = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 7 << 3])]; // magic; no size/checksum; window 2^17
  for (let offset = 0; offset < data.length || offset === 0; offset += BLOCK) {
    const block = data.subarray(offset, offset + BLOCK);
    const last = offset + BLOCK >= data.length ? 1 : 0;
    const header = (block.length << 3) | last; // block type 0: raw
    parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]), block);
  }
  return Buffer.concat(parts);
}

async function post(sql, body, headers = {}) {
  const response = await fetch(`${url}/?query=${encodeURIComponent(sql)}`, { method: 'POST', body, headers });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

test('RowBinary inserts read back byte for byte, uncompressed and with each Content-Encoding', async () => {
  const payload = rowBinary(60_000);
  // No Content-Encoding for an uncompressed body: ClickHouse answers `identity` with 501 NOT_IMPLEMENTED.
  const encodings = {
    none: payload,
    gzip: zlib.gzipSync(payload),
    deflate: zlib.deflateSync(payload),
    br: zlib.brotliCompressSync(payload),
    zstd: zstdStored(payload),
  };
  const db = `node_bin_${Date.now()}`;
  assert.equal((await post(`CREATE DATABASE ${db}`)).status, 200);
  for (const [encoding, body] of Object.entries(encodings)) {
    const table = `${db}.t_${encoding}`;
    assert.equal((await post(`CREATE TABLE ${table} (id UInt32, s Nullable(String)) ENGINE = MergeTree ORDER BY id`)).status, 200);

    const insert = await post(`INSERT INTO ${table} FORMAT RowBinary`, body, encoding === 'none' ? {} : { 'content-encoding': encoding });

    assert.equal(insert.status, 200, `${encoding}: ${insert.body}`);
    assert.equal(JSON.parse(insert.headers.get('x-clickhouse-summary')).written_rows, '60000', encoding);
    const back = await post(`SELECT * FROM ${table} ORDER BY id FORMAT RowBinary`);
    assert.ok(back.body.equals(payload), `${encoding}: the rows read back differ from the rows sent`);
  }
  await post(`DROP DATABASE ${db}`);
});

test('a corrupt compressed INSERT body is ZLIB_INFLATE_FAILED and writes nothing', async () => {
  const db = `node_bad_${Date.now()}`;
  await post(`CREATE DATABASE ${db}`);
  await post(`CREATE TABLE ${db}.t (id UInt32, s Nullable(String)) ENGINE = MergeTree ORDER BY id`);
  const gzip = zlib.gzipSync(rowBinary(1000));
  gzip.fill(0x55, 20, 60);

  const insert = await post(`INSERT INTO ${db}.t FORMAT RowBinary`, gzip, { 'content-encoding': 'gzip' });

  assert.equal(insert.status, 500);
  assert.equal(insert.headers.get('x-clickhouse-exception-code'), '354');
  assert.match(insert.body.toString(), /ZLIB_INFLATE_FAILED/);
  assert.equal((await post(`SELECT count() FROM ${db}.t`)).body.toString(), '0\n');
  await post(`DROP DATABASE ${db}`);
});

test('an INSERT whose statement and rows share a gzip body is read whole', async () => {
  const db = `node_body_${Date.now()}`;
  await post(`CREATE DATABASE ${db}`);
  await post(`CREATE TABLE ${db}.t (id UInt32, s String) ENGINE = MergeTree ORDER BY id`);
  const body = zlib.gzipSync(`INSERT INTO ${db}.t FORMAT TSV\n1\tone\n2\ttwo\\ttab\n`);

  const response = await fetch(`${url}/`, { method: 'POST', body, headers: { 'content-encoding': 'gzip' } });

  assert.equal(response.status, 200, await response.text());
  assert.equal((await post(`SELECT * FROM ${db}.t ORDER BY id FORMAT TSV`)).body.toString(), '1\tone\n2\ttwo\\ttab\n');
  await post(`DROP DATABASE ${db}`);
});
