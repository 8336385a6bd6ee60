#!/usr/bin/env node
// Measures what an incremental (keyset) read costs the MongoDB test server with and without the index
// the mode needs: 1,000,000 documents of ~300 B, 1% of them updated after the checkpoint, read with
// the filter and sort Zenith's incremental_timestamp mode sends. Prints wall time and the keys and
// documents each plan examined (explain executionStats). A figure, not a test: run it on a calm machine.
//
//   node tests/tools/index-scan-figures.mjs [--uri mongodb://…] [--documents 1000000] [--changed 0.01]
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { startTestServers } from '../node/test-servers.mjs';

const { values } = parseArgs({ options: { uri: { type: 'string' }, documents: { type: 'string', default: '1000000' }, changed: { type: 'string', default: '0.01' } } });
const total = Number(values.documents);
const changed = Math.round(total * Number(values.changed));
const servers = values.uri ? null : await startTestServers(['--mongo', '--port', '0']);
const client = new MongoClient(values.uri ?? servers.mongo);
await client.connect();
const collection = client.db(`figures_${Date.now()}`).collection('events');

const epoch = Date.UTC(2026, 0, 1);
const checkpointAt = new Date(epoch + total * 10);
const filler = 'x'.repeat(200);
let started = performance.now();
for (let start = 0; start < total; start += 10_000) {
  const batch = [];
  for (let i = start; i < Math.min(total, start + 10_000); i++) {
    // The last `changed` documents (spread over the collection) were updated after the checkpoint.
    const isChanged = i % Math.floor(total / changed) === 0;
    batch.push({ _id: i, updated_at: new Date(isChanged ? checkpointAt.getTime() + 1000 + i : epoch + i * 10), site: `s${i % 97}`, n: i, filler });
  }
  await collection.insertMany(batch, { ordered: false });
}
console.log(`seeded ${total} documents in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const sort = { updated_at: 1, _id: 1 };
const keyset = { $or: [{ updated_at: { $gt: checkpointAt } }, { updated_at: checkpointAt, _id: { $gt: total } }] };
const later = new Date(checkpointAt.getTime() + 10_000_000_000);
const nothing = { $or: [{ updated_at: { $gt: later } }, { updated_at: later, _id: { $gt: total } }] };

async function measure(label, filter) {
  started = performance.now();
  let n = 0;
  for await (const _ of collection.find(filter, { sort, batchSize: 10_000 })) n++;
  const ms = performance.now() - started;
  const { executionStats: s } = await collection.find(filter, { sort }).explain('executionStats');
  console.log(`${label}: ${n} documents in ${ms.toFixed(0)} ms; keys examined ${s.totalKeysExamined}, documents examined ${s.totalDocsExamined}`);
}

await measure('without index, 1% changed', keyset);
await measure('without index, nothing new', nothing);
started = performance.now();
await collection.createIndex(sort);
console.log(`index {updated_at: 1, _id: 1} built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
await measure('with index, 1% changed', keyset);
await measure('with index, nothing new', nothing);

await collection.drop();
await client.close();
if (servers) await servers.stop();
