// The MongoDB wire-protocol test server through the unmodified Node `mongodb` driver.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Decimal128, Long, MongoClient, MongoServerError } from 'mongodb';
import { startTestServers } from './test-servers.mjs';

let servers;
let client;

before(async () => {
  servers = await startTestServers(['--mongo', '--port', '0']);
  client = new MongoClient(servers.mongo, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
});

after(async () => {
  await client?.close();
  if (servers) assert.equal(await servers.stop(), 0, 'the server exits cleanly when stdin closes');
});

const newDb = () => client.db(`node_${randomUUID().replaceAll('-', '')}`);

test('insert, find with a filter and a sort, aggregate a count', async () => {
  const people = newDb().collection('people');
  const inserted = await people.insertMany([
    { name: 'ada', age: 36, city: 'London' },
    { name: 'grace', age: Long.fromNumber(85), city: 'New York' },
    { name: 'linus', age: 28.5, city: 'Helsinki' },
    { name: 'alan', age: Decimal128.fromString('41'), city: 'London' },
  ]);
  assert.equal(inserted.insertedCount, 4);

  const older = await people.find({ age: { $gte: 30 } }, { projection: { _id: 0, name: 1 } }).sort({ age: -1 }).toArray();
  assert.deepEqual(older, [{ name: 'grace' }, { name: 'alan' }, { name: 'ada' }]);

  const [londoners] = await people.aggregate([{ $match: { city: 'London' } }, { $count: 'n' }]).toArray();
  assert.equal(londoners.n, 2);
  assert.equal(await people.countDocuments({ city: { $ne: 'London' } }), 2);
});

test('a cursor pages through getMore in order', async () => {
  const numbers = newDb().collection('numbers');
  await numbers.insertMany(Array.from({ length: 1000 }, (_, i) => ({ _id: i, square: i * i })));

  const ids = [];
  for await (const doc of numbers.find({ _id: { $gte: 100 } }).sort({ _id: 1 }).batchSize(64)) ids.push(doc._id);

  assert.deepEqual(ids, Array.from({ length: 900 }, (_, i) => i + 100));
});

test('updates, upserts and duplicate keys behave like MongoDB', async () => {
  const items = newDb().collection('items');
  await items.insertOne({ _id: 'a', qty: 1 });
  await items.updateOne({ _id: 'a' }, { $inc: { qty: 2 }, $set: { 'meta.seen': true } });
  const upsert = await items.updateOne({ _id: 'b' }, { $set: { qty: 7 } }, { upsert: true });

  assert.deepEqual(await items.findOne({ _id: 'a' }), { _id: 'a', qty: 3, meta: { seen: true } });
  assert.equal(upsert.upsertedId, 'b');
  await assert.rejects(items.insertOne({ _id: 'a' }), (error) => error instanceof MongoServerError && error.code === 11000);
});

test('an unknown command is a CommandNotFound error', async () => {
  await assert.rejects(newDb().command({ zenithNoSuchCommand: 1 }), (error) => error.code === 59 && error.codeName === 'CommandNotFound');
});

test('a large insertMany keeps every document intact and reports each duplicate by its index', async () => {
  const events = newDb().collection('events');
  // The Node driver sends the documents inside the command body (no document sequence).
  const docs = Array.from({ length: 12_000 }, (_, i) => ({
    _id: i,
    site: { domain: `d${i % 50}.example`, tags: ['a', i % 2 ? 'odd' : 'even'] },
    at: new Date(Date.UTC(2026, 0, 1) + i * 1000),
  }));
  const inserted = await events.insertMany(docs, { ordered: false });
  assert.equal(inserted.insertedCount, 12_000);

  const retry = [{ _id: 11_999 }, { _id: 12_000 }, { _id: 5 }, { _id: 12_001 }];
  await assert.rejects(events.insertMany(retry, { ordered: false }), (error) =>
    error.code === 11000 && error.writeErrors.map((e) => e.index).join() === '0,2' && error.result.insertedCount === 2);
  assert.deepEqual(await events.findOne({ _id: 7_777 }), docs[7_777]);
  assert.equal(await events.countDocuments(), 12_002);
});

test('find by a list of _ids, with only the _id projected', async () => {
  const events = newDb().collection('events');
  await events.insertMany(Array.from({ length: 3000 }, (_, i) => ({ _id: i, n: i * 2 })));
  const wanted = [2999, 4, 4, 1500, 123_456, 0];

  const found = await events.find({ _id: { $in: wanted } }, { projection: { _id: 1 } }).toArray();
  const doubled = await events.find({ _id: { $in: wanted }, n: { $gt: 10 } }).sort({ n: -1 }).toArray();

  assert.deepEqual(found, [{ _id: 0 }, { _id: 4 }, { _id: 1500 }, { _id: 2999 }]);
  assert.deepEqual(doubled, [{ _id: 2999, n: 5998 }, { _id: 1500, n: 3000 }]);
});
