// Entity operations of the unified test format, mapped onto the Node driver's API, with results
// converted to the documents the CRUD spec names (InsertOneResult, UpdateResult, BulkWriteResult…).
import { ChangeStream, ClientSession, Collection, Db, Double, Int32, Long, MongoClient } from 'mongodb';
import { collectionOptions, readPreference, transactionOptions, Unsupported } from './entities.mjs';

const toArray = (cursor) => cursor.toArray();

// Option values (batchSize, limit, maxTimeMS…) as JS numbers: the driver checks `typeof x === 'number'`.
// Documents (filters, pipelines, hints) keep their BSON number types.
const plainNumber = (v) => (v instanceof Int32 || v instanceof Double ? v.valueOf() : v instanceof Long ? v.toNumber() : v);

/** Splits operation arguments into the session (resolved), named positional values and driver options. */
function prepare(entities, args = {}, positional = []) {
  const options = {};
  const values = {};
  for (const [key, value] of Object.entries(args)) {
    if (positional.includes(key)) values[key] = value;
    else if (key === 'session') options.session = entities.get(value);
    else if (key === 'readPreference') options.readPreference = readPreference(value);
    else if (key === 'returnDocument') options.returnDocument = String(value).toLowerCase();
    else if (key === 'writeConcern' || key === 'readConcern') Object.assign(options, collectionOptions({ [key]: value }));
    else if (key === 'cursorType') {
      if (value === 'tailable') options.tailable = true;
      else if (value === 'tailableAwait') Object.assign(options, { tailable: true, awaitData: true });
    } else options[key] = plainNumber(value);
  }
  return { values, options };
}

const updateResult = (r) => ({
  matchedCount: r.matchedCount,
  modifiedCount: r.modifiedCount,
  upsertedCount: r.upsertedCount,
  ...(r.upsertedId != null ? { upsertedId: r.upsertedId } : {}),
});

export const bulkWriteResult = (r) => ({
  deletedCount: r.deletedCount,
  insertedCount: r.insertedCount,
  insertedIds: r.insertedIds,
  matchedCount: r.matchedCount,
  modifiedCount: r.modifiedCount,
  upsertedCount: r.upsertedCount,
  upsertedIds: r.upsertedIds,
});

const collectionOperations = {
  aggregate: async (c, e, a) => { const { values, options } = prepare(e, a, ['pipeline']); return toArray(c.aggregate(values.pipeline, options)); },
  bulkWrite: async (c, e, a) => { const { values, options } = prepare(e, a, ['requests']); return bulkWriteResult(await c.bulkWrite(values.requests, options)); },
  count: async (c, e, a) => { const { values, options } = prepare(e, a, ['filter']); return c.count(values.filter, options); },
  countDocuments: async (c, e, a) => { const { values, options } = prepare(e, a, ['filter']); return c.countDocuments(values.filter, options); },
  estimatedDocumentCount: async (c, e, a) => c.estimatedDocumentCount(prepare(e, a).options),
  deleteMany: async (c, e, a) => { const { values, options } = prepare(e, a, ['filter']); return { deletedCount: (await c.deleteMany(values.filter, options)).deletedCount }; },
  deleteOne: async (c, e, a) => { const { values, options } = prepare(e, a, ['filter']); return { deletedCount: (await c.deleteOne(values.filter, options)).deletedCount }; },
  distinct: async (c, e, a) => { const { values, options } = prepare(e, a, ['fieldName', 'filter']); return c.distinct(values.fieldName, values.filter ?? {}, options); },
  find: async (c, e, a) => { const { values, options } = prepare(e, a, ['filter']); return toArray(c.find(values.filter ?? {}, options)); },
  findOne: async (c, e, a) => { const { values, options } = prepare(e, a, ['filter']); return c.findOne(values.filter ?? {}, options); },
  createFindCursor: async (c, e, a) => {
    const { values, options } = prepare(e, a, ['filter']);
    const cursor = c.find(values.filter ?? {}, options);
    await initCursor(cursor);
    return cursor;
  },
  findOneAndDelete: async (c, e, a) => { const { values, options } = prepare(e, a, ['filter']); return c.findOneAndDelete(values.filter, options); },
  findOneAndReplace: async (c, e, a) => { const { values, options } = prepare(e, a, ['filter', 'replacement']); return c.findOneAndReplace(values.filter, values.replacement, options); },
  findOneAndUpdate: async (c, e, a) => { const { values, options } = prepare(e, a, ['filter', 'update']); return c.findOneAndUpdate(values.filter, values.update, options); },
  insertMany: async (c, e, a) => {
    const { values, options } = prepare(e, a, ['documents']);
    const r = await c.insertMany(values.documents, options);
    return { insertedCount: r.insertedCount, insertedIds: r.insertedIds };
  },
  insertOne: async (c, e, a) => { const { values, options } = prepare(e, a, ['document']); return { insertedId: (await c.insertOne(values.document, options)).insertedId }; },
  replaceOne: async (c, e, a) => { const { values, options } = prepare(e, a, ['filter', 'replacement']); return updateResult(await c.replaceOne(values.filter, values.replacement, options)); },
  updateMany: async (c, e, a) => { const { values, options } = prepare(e, a, ['filter', 'update']); return updateResult(await c.updateMany(values.filter, values.update, options)); },
  updateOne: async (c, e, a) => { const { values, options } = prepare(e, a, ['filter', 'update']); return updateResult(await c.updateOne(values.filter, values.update, options)); },
  createIndex: async (c, e, a) => { const { values, options } = prepare(e, a, ['keys']); return c.createIndex(values.keys, options); },
  dropIndex: async (c, e, a) => { const { values, options } = prepare(e, a, ['name']); return c.dropIndex(values.name, options); },
  dropIndexes: async (c, e, a) => c.dropIndexes(prepare(e, a).options),
  listIndexes: async (c, e, a) => toArray(c.listIndexes(prepare(e, a).options)),
  drop: async (c, e, a) => c.drop(prepare(e, a).options),
  rename: async (c, e, a) => { const { values, options } = prepare(e, a, ['to']); await c.rename(values.to, options); return undefined; },
  createChangeStream: async (c, e, a) => watch(c, e, a),
};

const databaseOperations = {
  aggregate: async (d, e, a) => { const { values, options } = prepare(e, a, ['pipeline']); return toArray(d.aggregate(values.pipeline, options)); },
  runCommand: async (d, e, a) => { const { values, options } = prepare(e, a, ['command', 'commandName']); return d.command(values.command, options); },
  listCollections: async (d, e, a) => { const { values, options } = prepare(e, a, ['filter']); return toArray(d.listCollections(values.filter ?? {}, options)); },
  listCollectionNames: async (d, e, a) => { const { values, options } = prepare(e, a, ['filter']); return (await toArray(d.listCollections(values.filter ?? {}, { ...options, nameOnly: true }))).map((c) => c.name); },
  createCollection: async (d, e, a) => { const { values, options } = prepare(e, a, ['collection']); await d.createCollection(values.collection, options); return undefined; },
  dropCollection: async (d, e, a) => { const { values, options } = prepare(e, a, ['collection']); return d.dropCollection(values.collection, options); },
  modifyCollection: async (d, e, a) => {
    const { values, options } = prepare(e, a, ['collection']);
    const { session, ...rest } = options;
    return d.command({ collMod: values.collection, ...rest }, { session });
  },
  createChangeStream: async (d, e, a) => watch(d, e, a),
};

const clientOperations = {
  listDatabases: async (c, e, a) => (await c.db('admin').admin().listDatabases(prepare(e, a).options)).databases,
  listDatabaseNames: async (c, e, a) => (await c.db('admin').admin().listDatabases({ ...prepare(e, a).options, nameOnly: true })).databases.map((d) => d.name),
  createChangeStream: async (c, e, a) => watch(c, e, a),
  clientBulkWrite: async (c, e, a) => {
    const { values, options } = prepare(e, a, ['models']);
    const models = values.models.map((m) => { const [name, spec] = Object.entries(m)[0]; return { name, ...spec }; });
    return c.bulkWrite(models, options);
  },
};

const sessionOperations = {
  startTransaction: async (s, e, a) => { s.startTransaction(transactionOptions(a)); },
  commitTransaction: async (s) => { await s.commitTransaction(); },
  abortTransaction: async (s) => { await s.abortTransaction(); },
  endSession: async (s) => { await s.endSession(); },
};

const cursorOperations = {
  iterateUntilDocumentOrError: async (cursor) => {
    // A change stream's next() waits for an event; a find cursor's answers null once exhausted.
    if (cursor instanceof ChangeStream) return cursor.next();
    return cursor.next();
  },
  iterateOnce: async (cursor) => (await cursor.tryNext()) ?? undefined,
  close: async (cursor) => { await cursor.close().catch(() => {}); },
};

async function watch(target, entities, args) {
  const { values, options } = prepare(entities, args, ['pipeline']);
  const stream = target.watch(values.pipeline ?? [], options);
  // The spec requires the aggregate to have run when the entity is saved, without iterating.
  await initCursor(stream.cursor);
  return stream;
}

async function initCursor(cursor) {
  if (typeof cursor.cursorInit !== 'function') throw new Unsupported('this driver version hides cursorInit');
  await cursor.cursorInit();
}

/** Runs one entity operation and returns its result as a document, array or value. */
export async function runEntityOperation(entities, operation) {
  const target = entities.get(operation.object);
  const table = target instanceof Collection ? collectionOperations
    : target instanceof Db ? databaseOperations
      : target instanceof MongoClient ? clientOperations
        : target instanceof ClientSession ? sessionOperations
          : typeof target?.tryNext === 'function' ? cursorOperations
            : null;
  const run = table?.[operation.name];
  if (!run) throw new Unsupported(`operation ${operation.name} on ${target?.constructor?.name ?? typeof target}`);
  return run(target, entities, operation.arguments ?? {});
}
