// The MongoDB wire-protocol test server through the unmodified Node `mongodb` driver.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Decimal128, Long, MaxKey, MongoClient, MongoServerError } from 'mongodb';
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

test('strings order by UTF-8 bytes, MaxKey bounds match every type, a find without sort keeps insertion order', async () => {
  const words = newDb().collection('words');
  await words.insertMany([{ _id: 3, s: '\u{1F600}' }, { _id: 1, s: '\uFB01' }, { _id: 2, s: 7 }]);

  assert.deepEqual((await words.find({}).toArray()).map((d) => d._id), [3, 1, 2]);
  assert.deepEqual((await words.find({ s: { $type: 'string' } }).sort({ s: 1 }).toArray()).map((d) => d._id), [1, 3]);
  assert.deepEqual((await words.find({ s: { $lt: new MaxKey() } }).sort({ _id: 1 }).toArray()).map((d) => d._id), [1, 2, 3]);
});

test('an index serves a keyset page: explain shows IXSCAN and the keys examined match the page', async () => {
  const events = newDb().collection('events');
  const t0 = Date.UTC(2026, 0, 1);
  await events.insertMany(Array.from({ length: 3000 }, (_, i) => ({ _id: i, updated_at: new Date(t0 + Math.floor(i / 5) * 1000) })));
  assert.equal(await events.createIndex({ updated_at: 1, _id: 1 }), 'updated_at_1__id_1');
  const at = new Date(t0 + 300_000);
  const keyset = { $or: [{ updated_at: { $gt: at } }, { updated_at: at, _id: { $gt: 1502 } }] };

  const page = await events.find(keyset).sort({ updated_at: 1, _id: 1 }).limit(50).toArray();
  const explain = await events.find(keyset).sort({ updated_at: 1, _id: 1 }).limit(50).explain('executionStats');

  assert.deepEqual(page.map((d) => d._id), Array.from({ length: 50 }, (_, i) => 1503 + i));
  assert.equal(explain.queryPlanner.winningPlan.inputStage.inputStage.stage, 'IXSCAN');
  assert.ok(explain.executionStats.totalKeysExamined <= 51, `examined ${explain.executionStats.totalKeysExamined} keys`);
});

test('$sample draws distinct random documents and estimatedDocumentCount follows deletes', async () => {
  const items = newDb().collection('items');
  await items.insertMany(Array.from({ length: 200 }, (_, i) => ({ _id: i })));
  await items.deleteMany({ _id: { $gte: 150 } });

  const drawn = new Set();
  for (let i = 0; i < 10; i++) {
    const sample = await items.aggregate([{ $sample: { size: 8 } }]).toArray();
    assert.equal(new Set(sample.map((d) => d._id)).size, 8);
    for (const d of sample) {
      assert.ok(d._id < 150);
      drawn.add(d._id);
    }
  }
  assert.ok(drawn.size > 30, `only ${drawn.size} distinct documents in 80 draws`);
  assert.equal(await items.estimatedDocumentCount(), 150);
});

test('the server is discovered as a one-node replica set, with or without ?replicaSet=', async () => {
  const hello = await client.db('admin').command({ hello: 1 });
  assert.equal(hello.isWritablePrimary, true);
  assert.ok(hello.setName);
  assert.deepEqual(hello.hosts, [hello.me]);

  const named = new MongoClient(`${servers.mongo}?replicaSet=${hello.setName}`, { serverSelectionTimeoutMS: 10_000 });
  try {
    await named.connect();
    const items = named.db(`node_${randomUUID().replaceAll('-', '')}`).collection('items');
    await items.insertOne({ _id: 1 });
    assert.equal(await items.countDocuments(), 1);
    assert.equal(named.topology.description.type, 'ReplicaSetWithPrimary');
  } finally {
    await named.close();
  }
});

test('a change stream delivers insert, update (with updateLookup) and delete, and resumes after a token', async () => {
  const items = newDb().collection('items');
  await items.insertOne({ _id: 0 });
  const stream = items.watch([], { fullDocument: 'updateLookup' });
  try {
    await stream.tryNext(); // opens the server cursor before the writes
    await items.insertOne({ _id: 1, n: 1 });
    await items.updateOne({ _id: 1 }, { $inc: { n: 1 } });
    await items.deleteOne({ _id: 1 });

    const inserted = await stream.next();
    const updated = await stream.next();
    const deleted = await stream.next();
    assert.deepEqual([inserted.operationType, updated.operationType, deleted.operationType], ['insert', 'update', 'delete']);
    assert.deepEqual(updated.updateDescription.updatedFields, { n: 2 });
    assert.deepEqual(deleted.documentKey, { _id: 1 });

    const resumed = items.watch([], { resumeAfter: inserted._id });
    try {
      assert.equal((await resumed.next()).operationType, 'update');
    } finally {
      await resumed.close();
    }
  } finally {
    await stream.close();
  }
});

test('a transaction commits all its writes at once, and its change events carry lsid and txnNumber', async () => {
  const accounts = newDb().collection('accounts');
  await accounts.insertMany([{ _id: 'a', balance: 10 }, { _id: 'b', balance: 0 }]);
  const stream = accounts.watch();
  const session = client.startSession();
  try {
    await stream.tryNext();
    await session.withTransaction(async () => {
      await accounts.updateOne({ _id: 'a' }, { $inc: { balance: -5 } }, { session });
      await accounts.updateOne({ _id: 'b' }, { $inc: { balance: 5 } }, { session });
      assert.deepEqual(await accounts.find({}, { sort: { _id: 1 } }).toArray(), [{ _id: 'a', balance: 10 }, { _id: 'b', balance: 0 }]);
    });

    assert.deepEqual(await accounts.find({}, { sort: { _id: 1 } }).toArray(), [{ _id: 'a', balance: 5 }, { _id: 'b', balance: 5 }]);
    const [first, second] = [await stream.next(), await stream.next()];
    assert.equal(first.clusterTime.toString(), second.clusterTime.toString());
    assert.ok(first.lsid?.id && first.txnNumber !== undefined);
  } finally {
    await session.endSession();
    await stream.close();
  }
});

test('after failCommand closes a change stream getMore, the driver resumes without losing the event', async () => {
  const appName = `failpoint-${randomUUID()}`;
  const watcher = new MongoClient(servers.mongo, { appName, serverSelectionTimeoutMS: 10_000 });
  const events = newDb().collection('events');
  await events.insertOne({ _id: 0 });
  const stream = watcher.db(events.dbName).collection('events').watch();
  try {
    await stream.tryNext();
    await client.db('admin').command({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: { failCommands: ['getMore'], closeConnection: true, appName },
    });
    await events.insertOne({ _id: 1 });

    const change = await stream.next();
    assert.equal(change.operationType, 'insert');
    assert.deepEqual(change.documentKey, { _id: 1 });
  } finally {
    await client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
    await stream.close();
    await watcher.close();
  }
});
