// Executes one unified-format test file (MongoDB's "Unified Test Format" specification) against
// a server through the Node driver: requirements, initial data, entities, operations, expected
// errors, events and outcome. Each test reports passed, failed, skipped (with why) or unsupported.
import { BSON, MongoServerError } from 'mongodb';
import { bulkWriteResult, runEntityOperation } from './operations.mjs';
import { Entities, transactionOptions, Unsupported } from './entities.mjs';
import { match, MatchError, numericValue, safe } from './match.mjs';
import { Requirements, versionParts } from './requirements.mjs';

// Highest schema version whose features this runner knows (newer files are reported unsupported).
const SUPPORTED_SCHEMA = [1, 21];
// Operations that return an iterable of root-level documents (each may carry extra fields).
const DOCUMENT_LISTS = new Set(['find', 'aggregate', 'listCollections', 'listDatabases', 'listIndexes', 'runCursorCommand']);

export class Runner {
  /** @param internal a connected MongoClient for setup and outcome checks; server: { version, topology }. */
  constructor(uri, internal, server) {
    this.uri = uri;
    this.internal = internal;
    this.server = server;
    this.requirements = new Requirements(internal, server);
  }

  /** Runs every test of a parsed file; returns [{ description, status, reason }]. */
  async runFile(file, { filter } = {}) {
    const [major, minor] = versionParts(file.schemaVersion);
    const tooNew = major !== SUPPORTED_SCHEMA[0] || minor > SUPPORTED_SCHEMA[1];
    const fileUnmet = await this.requirements.unmetRequirement(file.runOnRequirements);
    const results = [];
    for (const test of file.tests) {
      if (filter && !`${file.description} ${test.description}`.includes(filter)) continue;
      const result = { description: test.description };
      if (tooNew) Object.assign(result, { status: 'unsupported', reason: `schema version ${file.schemaVersion}` });
      else if (fileUnmet) Object.assign(result, { status: 'skipped', reason: fileUnmet });
      else if (test.skipReason) Object.assign(result, { status: 'skipped', reason: test.skipReason });
      else {
        const unmet = await this.requirements.unmetRequirement(test.runOnRequirements);
        if (unmet) Object.assign(result, { status: 'skipped', reason: unmet });
        else Object.assign(result, await this.runTest(file, test));
      }
      results.push(result);
    }
    return results;
  }

  async runTest(file, test) {
    const entities = new Entities(this.uri);
    const context = { failPoints: [], threads: new Map() };
    try {
      await this.setUp(file.initialData ?? []);
      await entities.create(file.createEntities ?? []);
      for (const operation of test.operations) await this.runOperation(entities, operation, context);
      for (const client of entities.clients) client.__observing = false;
      for (const expected of test.expectEvents ?? []) this.checkEvents(entities, expected);
      for (const expected of test.outcome ?? []) await this.checkOutcome(expected);
      return { status: 'passed' };
    } catch (error) {
      if (error instanceof Unsupported) return { status: 'unsupported', reason: error.message };
      const reason = error instanceof MatchError ? error.message : `${error.constructor?.name}: ${error.message}`;
      return { status: 'failed', reason };
    } finally {
      for (const [client, name] of context.failPoints) {
        await client.db('admin').command({ configureFailPoint: name, mode: 'off' }).catch(() => {});
      }
      await entities.close();
    }
  }

  async setUp(initialData) {
    for (const data of initialData) {
      const db = this.internal.db(data.databaseName);
      await db.collection(data.collectionName).drop({ writeConcern: { w: 'majority' } }).catch((e) => {
        if (e.code !== 26) throw e;
      });
      if (data.createOptions || data.documents.length === 0) {
        await db.createCollection(data.collectionName, { ...data.createOptions, writeConcern: { w: 'majority' } });
      }
      if (data.documents.length > 0) {
        await db.collection(data.collectionName).insertMany(data.documents, { writeConcern: { w: 'majority' } });
      }
    }
  }

  async runOperation(entities, operation, context) {
    if (operation.object === 'testRunner') {
      await this.runSpecial(entities, operation, context);
      return;
    }
    let result;
    let error;
    try {
      result = operation.name === 'withTransaction'
        ? await this.withTransaction(entities, operation, context)
        : await runEntityOperation(entities, operation);
    } catch (e) {
      if (e instanceof Unsupported || e instanceof MatchError) throw e;
      error = e;
    }
    if (operation.ignoreResultAndError) return;
    if (operation.expectError) {
      if (!error) throw new MatchError(`${operation.name}: expected an error, got ${safe(result)}`);
      checkError(operation.expectError, error, entities);
      return;
    }
    if (error) throw error;
    if ('expectResult' in operation) {
      const expected = operation.expectResult;
      if (DOCUMENT_LISTS.has(operation.name) && Array.isArray(expected)) {
        if (!Array.isArray(result) || result.length !== expected.length) {
          throw new MatchError(`${operation.name}: expected ${expected.length} documents, got ${safe(result)}`);
        }
        expected.forEach((doc, i) => match(doc, result[i], { root: true, entities, path: `${operation.name}[${i}]` }));
      } else {
        match(expected, result, { root: true, entities, path: operation.name });
      }
    }
    if (operation.saveResultAsEntity) entities.set(operation.saveResultAsEntity, result);
  }

  async withTransaction(entities, operation, context) {
    const { callback, session: _session, ...options } = operation.arguments;
    const session = entities.get(operation.object);
    return session.withTransaction(async () => {
      for (const inner of callback) await this.runOperation(entities, inner, context);
    }, transactionOptions(options));
  }

  async runSpecial(entities, { name, arguments: a }, context) {
    switch (name) {
      case 'failPoint':
      case 'targetedFailPoint': {
        const client = name === 'failPoint' ? entities.get(a.client) : entities.get(a.session).client;
        await client.db('admin').command(a.failPoint);
        context.failPoints.push([client, a.failPoint.configureFailPoint]);
        return;
      }
      case 'createEntities':
        await entities.create(a.entities);
        return;
      case 'assertCollectionExists':
      case 'assertCollectionNotExists': {
        const names = (await this.internal.db(a.databaseName).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
        if (names.includes(a.collectionName) !== (name === 'assertCollectionExists')) throw new MatchError(`${name} ${a.databaseName}.${a.collectionName}: collections are ${names}`);
        return;
      }
      case 'assertIndexExists':
      case 'assertIndexNotExists': {
        const indexes = await this.internal.db(a.databaseName).collection(a.collectionName).listIndexes().toArray().catch((e) => (e.code === 26 ? [] : Promise.reject(e)));
        if (indexes.some((i) => i.name === a.indexName) !== (name === 'assertIndexExists')) throw new MatchError(`${name} ${a.indexName}: indexes are ${indexes.map((i) => i.name)}`);
        return;
      }
      case 'assertSessionTransactionState': {
        const states = { NO_TRANSACTION: 'none', STARTING_TRANSACTION: 'starting', TRANSACTION_IN_PROGRESS: 'in_progress', TRANSACTION_COMMITTED: 'committed', TRANSACTION_COMMITTED_EMPTY: 'committed', TRANSACTION_ABORTED: 'aborted' };
        const state = states[entities.get(a.session).transaction.state];
        if (state !== a.state) throw new MatchError(`session state is ${state}, expected ${a.state}`);
        return;
      }
      case 'assertSessionPinned':
      case 'assertSessionUnpinned': {
        const pinned = Boolean(entities.get(a.session).isPinned);
        if (pinned !== (name === 'assertSessionPinned')) throw new MatchError(`session pinned: ${pinned}`);
        return;
      }
      case 'assertSessionDirty':
      case 'assertSessionNotDirty': {
        const dirty = Boolean(entities.get(a.session).serverSession?.isDirty);
        if (dirty !== (name === 'assertSessionDirty')) throw new MatchError(`session dirty: ${dirty}`);
        return;
      }
      case 'assertSameLsidOnLastTwoCommands':
      case 'assertDifferentLsidOnLastTwoCommands': {
        const started = entities.get(a.client).__allStarted;
        const [x, y] = started.slice(-2).map((e) => e.command.lsid?.id?.toString('hex'));
        if ((x === y) !== (name === 'assertSameLsidOnLastTwoCommands')) throw new MatchError(`${name}: ${x} vs ${y}`);
        return;
      }
      case 'wait':
        await new Promise((resolve) => setTimeout(resolve, a.ms));
        return;
      case 'waitForEvent':
      case 'assertEventCount': {
        const client = entities.get(a.client);
        const count = () => client.__events.filter((e) => eventMatches(a.event, e)).length;
        if (name === 'waitForEvent') {
          const deadline = Date.now() + 10_000;
          while (count() < a.count) {
            if (Date.now() > deadline) throw new MatchError(`waitForEvent: ${count()} of ${a.count} ${safe(a.event)}`);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        } else if (count() !== a.count) throw new MatchError(`assertEventCount: ${count()} instead of ${a.count}`);
        return;
      }
      case 'runOnThread': {
        const thread = context.threads.get(a.thread) ?? Promise.resolve();
        context.threads.set(a.thread, thread.then(() => this.runOperation(entities, a.operation, context)));
        return;
      }
      case 'waitForThread':
        await (context.threads.get(a.thread) ?? Promise.resolve());
        return;
      default:
        throw new Unsupported(`special operation ${name}`);
    }
  }

  checkEvents(entities, expected) {
    if ((expected.eventType ?? 'command') !== 'command') throw new Unsupported(`${expected.eventType} events`);
    const actual = entities.get(expected.client).__events;
    const tooMany = expected.ignoreExtraEvents ? actual.length < expected.events.length : actual.length !== expected.events.length;
    if (tooMany) {
      throw new MatchError(`events: expected ${expected.events.length}, observed ${actual.length}: ${actual.map((e) => `${e.type}:${e.event.commandName}`).join(', ')}`);
    }
    expected.events.forEach((e, i) => {
      const [type, spec] = Object.entries(e)[0];
      const { type: actualType, event } = actual[i];
      if (type !== actualType) throw new MatchError(`event ${i}: expected ${type}, observed ${actualType} (${event.commandName})`);
      if (spec.commandName && spec.commandName !== event.commandName) throw new MatchError(`event ${i}: expected ${spec.commandName}, observed ${event.commandName}`);
      if (spec.databaseName && spec.databaseName !== event.databaseName) throw new MatchError(`event ${i}: database ${event.databaseName}`);
      if (process.env.RUNNER_DEBUG) console.log(BSON.EJSON.stringify(event.command ?? event.reply));
      if (spec.command) match(spec.command, event.command, { root: true, entities, path: `event ${i} (${event.commandName}) command` });
      if (spec.reply) match(spec.reply, event.reply, { root: true, entities, path: `event ${i} (${event.commandName}) reply` });
    });
  }

  async checkOutcome(expected) {
    const documents = await this.internal.db(expected.databaseName).collection(expected.collectionName)
      .find({}, { sort: { _id: 1 }, readConcern: { level: 'local' } }).toArray();
    if (documents.length !== expected.documents.length) {
      throw new MatchError(`outcome ${expected.collectionName}: expected ${safe(expected.documents)}, found ${safe(documents)}`);
    }
    expected.documents.forEach((doc, i) => match(doc, documents[i], { root: false, path: `outcome ${expected.collectionName}[${i}]` }));
  }
}

function eventMatches(expected, { type, event }) {
  const [name, spec] = Object.entries(expected)[0];
  return name === type && (!spec.commandName || spec.commandName === event.commandName);
}

function checkError(expected, error, entities) {
  const isServer = error instanceof MongoServerError;
  const writeErrors = error.writeErrors ?? [];
  if (expected.isClientError === true && isServer) throw new MatchError(`expected a client error, got server error ${error.code}: ${error.message}`);
  if (expected.isClientError === false && !isServer) throw new MatchError(`expected a server error, got ${error.constructor.name}: ${error.message}`);
  if (expected.isTimeoutError !== undefined && (error.name === 'MongoOperationTimeoutError') !== expected.isTimeoutError) throw new MatchError(`timeout error: ${error.message}`);
  const messages = [error.message, ...writeErrors.map((w) => w.errmsg)].map((m) => String(m ?? '').toLowerCase());
  if (expected.errorContains && !messages.some((m) => m.includes(expected.errorContains.toLowerCase()))) {
    throw new MatchError(`error "${error.message}" does not contain "${expected.errorContains}"`);
  }
  const codes = [error.code, error.errorResponse?.code, ...writeErrors.map((w) => w.code)].map(numericValue);
  if (expected.errorCode !== undefined && !codes.includes(numericValue(expected.errorCode))) throw new MatchError(`error code ${error.code} (${error.message}), expected ${expected.errorCode}`);
  if (expected.errorCodeName) {
    const names = [error.codeName, error.errorResponse?.codeName, ...writeErrors.map((w) => w.err?.codeName)].filter(Boolean).map((n) => n.toLowerCase());
    if (!names.includes(expected.errorCodeName.toLowerCase())) throw new MatchError(`error code name ${names.join('/') || error.code} (${error.message}), expected ${expected.errorCodeName}`);
  }
  const labels = error.errorLabels ?? [];
  for (const label of expected.errorLabelsContain ?? []) if (!labels.includes(label)) throw new MatchError(`error labels ${labels} lack ${label} (${error.message})`);
  for (const label of expected.errorLabelsOmit ?? []) if (labels.includes(label)) throw new MatchError(`error labels ${labels} include ${label}`);
  if (expected.errorResponse) match(expected.errorResponse, error.errorResponse ?? {}, { root: true, entities, path: 'errorResponse' });
  if ('expectResult' in expected) {
    const result = error.result ? bulkWriteResult(error.result) : undefined;
    match(expected.expectResult, result, { root: true, entities, path: 'error result' });
  }
}

/** Parses a spec file as canonical extended JSON, keeping int/long/double distinct. */
export const parseSpecFile = (text) => BSON.EJSON.parse(text, { relaxed: false });
