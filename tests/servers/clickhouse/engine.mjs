// The ClickHouse engine (chdb) behind the HTTP front: a small pool of connections to one data
// directory. chdb runs one query at a time per connection, and each connection carries its own
// current database and settings, so a request holds a connection for its whole life (including
// streaming its result) and the connection is brought to the request's database/settings first.

import { rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fromEngineError } from './errors.mjs';

const require = createRequire(import.meta.url);
const { Session } = require('chdb');
// chdb's public wrappers re-escape bound parameters and only take text formats for raw inserts;
// the HTTP interface needs ClickHouse's own semantics (TSV-escaped `param_*` values, RowBinary
// payloads), which the addon's entry points provide as they are. It is the module chdb loads itself.
const native = require(`@chdb/lib-${process.platform}-${process.arch}${process.platform === 'linux' ? '-gnu' : ''}`);

// Settings a request may not change on a shared connection: `readonly` cannot be reset once set.
const NEVER_SET = new Set(['readonly']);

const quoteIdentifier = (name) => '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
const quoteString = (value) => "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";

/** One chdb connection and the database/settings it was last left in. */
class Connection {
  constructor(session) {
    this.session = session;
    this.database = null; // unknown until the first USE
    this.settings = new Map();
  }

  get handle() {
    return this.session.connection;
  }

  /** Brings the connection to the request's database and settings (only what differs). */
  async prepare(database, settings) {
    const changes = [];
    for (const [name, value] of settings) {
      if (this.settings.get(name) !== value) changes.push(`${name} = ${quoteString(value)}`);
    }
    for (const name of this.settings.keys()) {
      if (!settings.has(name)) changes.push(`${name} = DEFAULT`);
    }
    if (changes.length > 0) {
      try {
        await this.run(`SET ${changes.join(', ')}`, 'TSV');
        this.settings = new Map(settings);
      } catch (error) {
        await this.resetSettings();
        throw error;
      }
    }
    if (this.database !== database) {
      this.database = null;
      await this.run(`USE ${quoteIdentifier(database)}`, 'TSV');
      this.database = database;
    }
  }

  async resetSettings() {
    for (const name of this.settings.keys()) {
      await native.QueryAsyncConnection(this.handle, `SET ${name} = DEFAULT`, 'TSV').catch(() => {});
    }
    this.settings.clear();
  }

  /** Runs a statement to completion; the result bytes come back whole. */
  async run(sql, format, params) {
    try {
      return params
        ? await native.QueryAsyncConnection(this.handle, sql, format, params)
        : await native.QueryAsyncConnection(this.handle, sql, format);
    } catch (error) {
      throw fromEngineError(error);
    } finally {
      // A statement may have switched database (USE) or settings (SET): forget what we knew.
      if (/^\s*(use|set)\b/i.test(sql)) { this.database = null; }
    }
  }

  /**
   * INSERT … FORMAT <any> with its payload staged in a file: `FROM INFILE` lets the engine read it
   * with its own parser and, for a compressed payload, its own codec (chdb's inline raw insert
   * garbles binary payloads such as RowBinary, so there is no in-memory path).
   * @param {{ statement: string, infileAt: number }} insert
   * @param {string} file the payload
   * @param {string | null} compression a ClickHouse compression method ('gzip', 'zstd', …) or null
   */
  async insert({ statement, infileAt }, file, compression) {
    const source = `FROM INFILE ${quoteString(file)}${compression ? ` COMPRESSION ${quoteString(compression)}` : ''}`;
    return this.run(`${statement.slice(0, infileAt)} ${source} ${statement.slice(infileAt)}`, 'TSV');
  }

  /** Decompresses a file with the engine's own codec (e.g. zstd, which Node 20 lacks). */
  async decompress(file, method) {
    const result = await this.run(`SELECT * FROM file(${quoteString(file)}, RawBLOB, 'raw String', ${quoteString(method)})`, 'RawBLOB');
    return Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength);
  }

  /**
   * Starts a streamed SELECT; returns null when the statement cannot be streamed (DDL, INSERT …
   * SELECT, SET …), which the caller then runs with run().
   */
  stream(sql, format, params) {
    let handle;
    try {
      handle = params ? native.StreamQuery(this.handle, sql, format, params) : native.StreamQuery(this.handle, sql, format);
    } catch (error) {
      if (/Streaming query is not supported/.test(String(error?.message))) return null;
      throw fromEngineError(error);
    }
    return new ResultStream(handle);
  }

  close() {
    this.session.close();
  }
}

/** Chunks of a streamed result; cancel() must be called once done or abandoned. */
class ResultStream {
  constructor(handle) {
    this.handle = handle;
    this.rows = 0;
    this.cancelled = false;
  }

  /** @returns {Promise<Uint8Array | null>} the next chunk, or null at the end */
  async next() {
    let chunk;
    try {
      chunk = await native.StreamFetch(this.handle);
    } catch (error) {
      throw fromEngineError(error);
    }
    if (chunk.done) return null;
    this.rows += chunk.numRows;
    return chunk.bytes;
  }

  cancel() {
    if (this.cancelled) return;
    this.cancelled = true;
    try { native.StreamCancel(this.handle); } catch { /* already released */ }
  }
}

export class Engine {
  /**
   * @param {string} dataDir the engine's data directory
   * @param {string} spoolDir where request payloads are staged (best on tmpfs)
   * @param {number} size number of connections
   */
  static async open(dataDir, spoolDir, size) {
    const engine = new Engine(spoolDir);
    for (let i = 0; i < size; i++) engine.idle.push(new Connection(new Session(dataDir)));
    engine.all = [...engine.idle];
    const probe = engine.all[0];
    const info = JSON.parse(Buffer.from((await probe.run('SELECT version() AS v, timezone() AS tz', 'JSONEachRow')).bytes).toString());
    engine.version = info.v;
    engine.timezone = info.tz;
    const names = Buffer.from((await probe.run('SELECT name FROM system.settings', 'TSV')).bytes).toString();
    engine.settingNames = new Set(names.split('\n').filter((n) => n && !NEVER_SET.has(n)));
    const codes = Buffer.from((await probe.run(
      "SELECT errorCodeToName(number) AS n, number FROM numbers(2000) WHERE n != ''", 'TSV')).bytes).toString();
    engine.errorCodes = new Map(codes.split('\n').filter(Boolean).map((line) => {
      const [name, code] = line.split('\t');
      return [name, Number(code)];
    }));
    return engine;
  }

  constructor(spoolDir) {
    this.spoolDir = spoolDir;
    this.spooled = 0;
    this.idle = [];
    this.all = [];
    this.waiters = [];
  }

  /**
   * Runs fn with the path of a new file in the spool directory (one per request, so that bodies
   * are received while no connection is held); the file is removed afterwards.
   */
  async withSpoolFile(fn) {
    const file = join(this.spoolDir, `body-${++this.spooled}.bin`);
    try {
      return await fn(file);
    } finally {
      await rm(file, { force: true });
    }
  }

  /** Decompresses a buffer with the engine's codec (see {@link Connection.decompress}). */
  decompress(data, method) {
    return this.withSpoolFile(async (file) => {
      await writeFile(file, data);
      return this.with((connection) => connection.decompress(file, method));
    });
  }

  /** Runs fn with a connection of its own; requests beyond the pool size wait in arrival order. */
  async with(fn) {
    const connection = this.idle.pop() ?? await new Promise((resolve) => this.waiters.push(resolve));
    try {
      return await fn(connection);
    } finally {
      const next = this.waiters.shift();
      if (next) next(connection); else this.idle.push(connection);
    }
  }

  close() {
    for (const connection of this.all) connection.close();
  }
}
