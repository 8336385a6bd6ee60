// The entity map of one unified test: clients (with their observed command events), databases,
// collections, sessions, and results saved by operations (cursors, change streams, values).
import { BSON, MongoClient, ReadConcern, ReadPreference, WriteConcern } from 'mongodb';
import { numericValue } from './match.mjs';

// Commands the spec says a runner never observes (fail points, and those carrying credentials).
const ALWAYS_IGNORED = new Set(['configureFailPoint', 'authenticate', 'saslStart', 'saslContinue', 'getnonce', 'createUser', 'updateUser', 'copydbgetnonce', 'copydbsaslstart', 'copydb']);

export function collectionOptions(options = {}) {
  const result = {};
  if (options.readConcern) result.readConcern = new ReadConcern(options.readConcern.level);
  if (options.writeConcern) result.writeConcern = WriteConcern.fromOptions({ writeConcern: options.writeConcern });
  if (options.readPreference) result.readPreference = readPreference(options.readPreference);
  if (options.timeoutMS !== undefined) result.timeoutMS = Number(options.timeoutMS);
  return result;
}

export function readPreference(spec) {
  return new ReadPreference(spec.mode.toLowerCase().replace(/^(\w+)preferred$/, '$1Preferred'), spec.tagSets, { maxStalenessSeconds: spec.maxStalenessSeconds, hedge: spec.hedge });
}

export class Entities {
  constructor(uri) {
    this.uri = uri;
    this.map = new Map();
    this.clients = [];
  }

  get(name) {
    if (!this.map.has(name)) throw new Error(`no entity named ${name}`);
    return this.map.get(name);
  }

  set(name, value) {
    if (this.map.has(name)) throw new Error(`entity ${name} already exists`);
    this.map.set(name, value);
  }

  sessionLsid(name) {
    const session = this.get(name);
    return session.__lsid ?? session.id;
  }

  /** Creates the entities of a `createEntities` list, in order. */
  async create(definitions) {
    for (const definition of definitions) {
      const [kind, spec] = Object.entries(definition)[0];
      switch (kind) {
        case 'client':
          this.set(spec.id, await this.createClient(spec));
          break;
        case 'database': {
          const client = this.get(spec.client);
          this.set(spec.id, client.db(spec.databaseName, collectionOptions(spec.databaseOptions)));
          break;
        }
        case 'collection': {
          const db = this.get(spec.database);
          this.set(spec.id, db.collection(spec.collectionName, collectionOptions(spec.collectionOptions)));
          break;
        }
        case 'session': {
          const client = this.get(spec.client);
          const options = { ...spec.sessionOptions };
          if (options.defaultTransactionOptions) options.defaultTransactionOptions = transactionOptions(options.defaultTransactionOptions);
          const session = client.startSession(options);
          // The lsid is read before the session ends, for $$sessionLsid after endSession.
          session.__lsid = session.id;
          this.set(spec.id, session);
          break;
        }
        default:
          throw new Unsupported(`entity type ${kind}`);
      }
    }
  }

  async createClient(spec) {
    const url = new URL(this.uri);
    for (const [key, raw] of Object.entries(spec.uriOptions ?? {})) {
      const value = numericValue(raw) ?? raw;
      if (typeof value === 'object') throw new Unsupported(`uriOption ${key} with a document value`);
      url.searchParams.set(key, String(value));
    }
    const client = new MongoClient(url.toString(), { monitorCommands: true, serverSelectionTimeoutMS: 10_000 });
    const observe = new Set(spec.observeEvents ?? []);
    const ignore = new Set([...(spec.ignoreCommandMonitoringEvents ?? []), ...ALWAYS_IGNORED]);
    client.__events = [];
    client.__allStarted = [];
    const record = (type) => (original) => {
      // The driver may change a command after sending it (e.g. a retried commit's writeConcern): keep what was sent.
      const event = snapshot(original);
      if (type === 'commandStartedEvent') client.__allStarted.push(event);
      if (!client.__observing || !observe.has(type) || ignore.has(event.commandName)) return;
      // hello and legacy hello with speculative authentication are sensitive (the driver redacts them).
      if (['hello', 'ismaster', 'isMaster'].includes(event.commandName) && (event.command === undefined || Object.keys(event.command ?? event.reply ?? {}).length === 0)) return;
      client.__events.push({ type, event });
    };
    client.on('commandStarted', record('commandStartedEvent'));
    client.on('commandSucceeded', record('commandSucceededEvent'));
    client.on('commandFailed', record('commandFailedEvent'));
    client.__observing = true;
    await client.connect();
    this.clients.push(client);
    return client;
  }

  /** Stops recording, ends sessions, closes cursors and clients. */
  async close() {
    for (const client of this.clients) client.__observing = false;
    for (const value of this.map.values()) {
      if (value && typeof value.endSession === 'function') await value.endSession().catch(() => {});
      if (value && typeof value.close === 'function' && !(value instanceof MongoClient)) await value.close().catch(() => {});
    }
    for (const client of this.clients) await client.close().catch(() => {});
  }
}

function snapshot(event) {
  const copy = { commandName: event.commandName, databaseName: event.databaseName };
  const clone = (doc) => (doc ? BSON.deserialize(BSON.serialize(doc), { promoteValues: false }) : doc);
  if (event.command !== undefined) copy.command = clone(event.command);
  if (event.reply !== undefined) copy.reply = clone(event.reply);
  return copy;
}

export function transactionOptions(spec = {}) {
  const options = {};
  if (spec.readConcern) options.readConcern = new ReadConcern(spec.readConcern.level);
  if (spec.writeConcern) options.writeConcern = WriteConcern.fromOptions({ writeConcern: spec.writeConcern });
  if (spec.readPreference) options.readPreference = readPreference(spec.readPreference);
  if (spec.maxCommitTimeMS !== undefined) options.maxCommitTimeMS = Number(spec.maxCommitTimeMS);
  return options;
}

/** Something the runner does not implement: reported apart from failures. */
export class Unsupported extends Error {}
