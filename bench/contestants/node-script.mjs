// What a user writes instead of Zenith: the official drivers, a cursor, batches of 10,000 rows
// inserted as JSONEachRow. It flattens nested documents the way Zenith does (`_` between levels,
// three levels, anything deeper as JSON text) into a table the user wrote by hand (the DDL comes
// from the harness in a JSON file). Prints one JSON line: {"rows": N, "seconds": S}.
//
//   node node-script.mjs --mongo URI --db DB --collection C --clickhouse URL --database D --table T
//                        --schema schema.json [--incremental] [--batch 10000]
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { MongoClient, ObjectId } from 'mongodb';
import { createClient } from '@clickhouse/client';

const { values: args } = parseArgs({
  options: {
    mongo: { type: 'string' },
    db: { type: 'string' },
    collection: { type: 'string' },
    clickhouse: { type: 'string' },
    database: { type: 'string' },
    table: { type: 'string' },
    schema: { type: 'string' },
    incremental: { type: 'boolean', default: false },
    batch: { type: 'string', default: '10000' },
  },
});
for (const name of ['mongo', 'db', 'collection', 'clickhouse', 'database', 'table', 'schema']) {
  if (!args[name]) throw new Error(`--${name} is required`);
}
const schema = JSON.parse(readFileSync(args.schema, 'utf8'));
const batchSize = Number(args.batch);
const quote = (name) => '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
const target = `${quote(args.database)}.${quote(args.table)}`;

function flatten(doc, prefix, depth, row) {
  for (const [key, value] of Object.entries(doc)) {
    const name = prefix + key;
    if (value === null || value === undefined) continue;
    if (value instanceof ObjectId) row[name] = value.toHexString();
    else if (value instanceof Date) row[name] = value.toISOString();
    else if (Array.isArray(value)) row[name] = value;
    else if (typeof value === 'object' && value._bsontype === undefined) {
      if (depth < schema.maxDepth) flatten(value, name + schema.separator, depth + 1, row);
      else row[name] = JSON.stringify(value);
    } else if (typeof value === 'object') row[name] = value.toString();
    else row[name] = value;
  }
  return row;
}

const started = process.hrtime.bigint();
const mongo = new MongoClient(args.mongo);
const clickhouse = createClient({
  url: args.clickhouse,
  request_timeout: 900_000,
  clickhouse_settings: { date_time_input_format: 'best_effort' },
});
try {
  await clickhouse.command({ query: `CREATE DATABASE IF NOT EXISTS ${quote(args.database)}` });
  const columns = schema.columns.map((c) => `${quote(c.name)} ${c.type}`).join(', ');
  await clickhouse.command({
    query: `CREATE TABLE IF NOT EXISTS ${target} (${columns}) ENGINE = ReplacingMergeTree(updated_at) ORDER BY _id`,
  });
  let filter = {};
  if (args.incremental) {
    const result = await clickhouse.query({ query: `SELECT toUnixTimestamp64Milli(max(updated_at)) AS m FROM ${target}`, format: 'JSONEachRow' });
    const [{ m }] = await result.json();
    filter = { updated_at: { $gt: new Date(Number(m)) } };
  }
  const cursor = mongo.db(args.db).collection(args.collection).find(filter, { batchSize: batchSize });
  let rows = 0;
  let batch = [];
  for await (const doc of cursor) {
    batch.push(flatten(doc, '', 1, {}));
    if (batch.length === batchSize) {
      await clickhouse.insert({ table: target, values: batch, format: 'JSONEachRow' });
      rows += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) {
    await clickhouse.insert({ table: target, values: batch, format: 'JSONEachRow' });
    rows += batch.length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ rows, seconds }) + '\n');
} finally {
  await mongo.close();
  await clickhouse.close();
}
