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
