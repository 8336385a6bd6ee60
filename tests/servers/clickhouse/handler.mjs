// The ClickHouse HTTP interface over the engine pool: what ClickHouse.Driver and @clickhouse/client
// send (SQL in `query` or the body, inline INSERT data, `param_*`, settings as URL parameters,
// compressed request bodies) and what they read back (status, `X-ClickHouse-*` headers, error text).

import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { ClickHouseError, HttpStatusTable, fromEngineError } from './errors.mjs';
import { headerLength, isStreamable } from './formats.mjs';
import { splitInsert } from './sql.mjs';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotli = promisify(zlib.brotliDecompress);

// URL parameters the HTTP interface itself consumes; everything else that names a setting is one.
const HTTP_PARAMETERS = new Set([
  'query', 'database', 'default_format', 'query_id', 'session_id', 'session_timeout', 'session_check',
  'user', 'password', 'quota_key', 'compress', 'decompress', 'enable_http_compression', 'role',
  'wait_end_of_query', 'buffer_size', 'http_response_buffer_size', 'add_http_cors_header',
]);

const FORMAT_CLAUSE = /\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$/i;

// Content-Encodings the engine decodes itself when it reads an INSERT payload (`FROM INFILE …
// COMPRESSION`); '' is an uncompressed body. HTTP's deflate is zlib-wrapped, as is ClickHouse's.
const ENGINE_COMPRESSION = new Map([
  ['', null], ['identity', null], ['gzip', 'gzip'], ['x-gzip', 'gzip'], ['deflate', 'deflate'], ['br', 'br'], ['zstd', 'zstd'],
]);

// ZENITH_CLICKHOUSE_TRACE=1: one line per INSERT on stderr with where its time went.
const TRACE = process.env.ZENITH_CLICKHOUSE_TRACE === '1';

/**
 * @param {import('./engine.mjs').Engine} engine
 * @param {{ user: string, password: string }} credentials the only account the server accepts
 */
export function createHandler(engine, credentials) {
  const statuses = new HttpStatusTable(engine.errorCodes);
  const authenticate = authenticator(credentials, engine.errorCodes.get('AUTHENTICATION_FAILED') ?? 516);

  return async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const queryId = url.searchParams.get('query_id') || randomUUID();
    res.setHeader('X-ClickHouse-Query-Id', queryId);
    res.setHeader('X-ClickHouse-Timezone', engine.timezone);
    try {
      if (url.pathname === '/ping' || (url.pathname === '/' && req.method === 'GET' && !url.searchParams.has('query'))) {
        await drain(req);
        return sendText(res, 200, 'Ok.\n');
      }
      if (url.pathname !== '/') {
        await drain(req);
        return sendText(res, 404, `There is no handle ${url.pathname}\n`);
      }
      authenticate(req, url.searchParams);
      await engine.withSpoolFile(async (spoolFile) => {
        const started = TRACE ? [performance.now(), process.cpuUsage()] : null;
        const request = await readRequest(req, url.searchParams, engine, spoolFile);
        const received = TRACE ? performance.now() : 0;
        await engine.with((connection) => {
          if (started) request.acquired = performance.now();
          return execute(connection, request, res);
        });
        if (started && request.insert) trace(request, started, received);
      });
    } catch (error) {
      const failure = fromEngineError(error);
      if (res.headersSent) {
        // The result was already streaming: cut the connection so the client cannot take a
        // truncated result for a complete one.
        res.destroy(failure);
        return;
      }
      res.removeHeader('X-ClickHouse-Format');
      res.removeHeader('X-ClickHouse-Summary');
      res.setHeader('X-ClickHouse-Exception-Code', String(failure.code));
      sendText(res, statuses.statusOf(failure.code), `${failure.message} (version ${engine.version})\n`);
    }
  };

  async function execute(connection, request, res) {
    await connection.prepare(request.database, request.settings);
    if (request.insert) {
      const { insert } = request;
      const result = await connection.insert(insert, insert.file, insert.compression);
      res.setHeader('X-ClickHouse-Summary', summaryHeader({
        written_rows: result.rowsRead, written_bytes: result.bytesRead, elapsed_ns: Math.round(result.elapsed * 1e9),
      }));
      return sendText(res, 200, '');
    }
    const clause = FORMAT_CLAUSE.exec(request.sql)?.[1];
    const format = clause ?? request.format;
    res.setHeader('X-ClickHouse-Format', format);
    res.setHeader('Content-Type', contentType(format));
    // A FORMAT clause anywhere but at the end (e.g. before SETTINGS) leaves the format unknown.
    const knownFormat = clause !== undefined || !/\bFORMAT\b/i.test(request.sql);
    const stream = knownFormat && isStreamable(format) ? connection.stream(request.sql, request.format, request.params) : null;
    if (!stream) {
      const result = await connection.run(request.sql, request.format, request.params);
      res.setHeader('X-ClickHouse-Summary', summaryHeader({
        read_rows: result.rowsRead, read_bytes: result.bytesRead, elapsed_ns: Math.round(result.elapsed * 1e9),
      }));
      res.statusCode = 200;
      res.end(result.bytes);
      return;
    }
    await sendStream(stream, format, res);
  }
}

async function sendStream(stream, format, res) {
  let aborted = false;
  const onClose = () => { aborted = true; };
  res.on('close', onClose);
  try {
    // The first chunk is fetched before the status line so that a failing query still gets a
    // proper error response.
    let chunk = await stream.next();
    res.statusCode = 200;
    res.setHeader('X-ClickHouse-Summary', summaryHeader({}));
    const header = chunk ? headerLength(format, chunk) : 0;
    let first = true;
    while (chunk && !aborted) {
      // Copied: the chunk's memory belongs to the engine and is reused by the next fetch, while
      // the socket may still be sending it.
      const body = Buffer.from(first ? chunk : chunk.subarray(header));
      first = false;
      if (body.length > 0 && !res.write(body)) await writable(res);
      if (aborted) break;
      chunk = await stream.next();
    }
    if (!aborted) res.end();
  } finally {
    res.off('close', onClose);
    stream.cancel();
  }
}

/** Resolves once the response can take more data or has gone away. */
function writable(res) {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Parses the parts of a request the engine needs: SQL or INSERT + payload, params, settings. An
 * INSERT's payload is left in `spoolFile` for the engine to read; when the statement is in the URL
 * (what the drivers send) the body goes there as it arrives, still compressed.
 */
async function readRequest(req, search, engine, spoolFile) {
  const contentTypeHeader = req.headers['content-type'] ?? '';
  const encoding = String(req.headers['content-encoding'] ?? '').trim().toLowerCase();
  const query = search.get('query'); // null when absent
  if (query !== null && !contentTypeHeader.startsWith('multipart/form-data') && ENGINE_COMPRESSION.has(encoding)) {
    const statement = Buffer.from(query);
    const insert = splitInsert(statement);
    if (insert && insert.dataOffset === statement.length) {
      const file = createWriteStream(spoolFile);
      await pipeline(req, file);
      const request = describe(new Map(search), req, engine);
      request.insert = { ...insert, file: spoolFile, compression: ENGINE_COMPRESSION.get(encoding), bytes: file.bytesWritten };
      return request;
    }
  }

  let body = await readBody(req, encoding, engine);
  const fields = new Map(search);
  if (contentTypeHeader.startsWith('multipart/form-data')) {
    // Parameters sent as form fields (ClickHouse.Driver's form-data mode); the rest stays in the URL.
    const form = await new Response(body, { headers: { 'content-type': contentTypeHeader } }).formData();
    for (const [name, value] of form) if (typeof value === 'string') fields.set(name, value);
    body = Buffer.alloc(0);
  }
  const request = describe(fields, req, engine);

  const text = fields.get('query');
  if (text !== undefined && body.length > 0) {
    // ClickHouse reads the `query` parameter and the body as one text: the body is INSERT data, or
    // the rest of the statement.
    body = Buffer.concat([Buffer.from(text + '\n'), body]);
  } else if (text !== undefined) {
    body = Buffer.from(text);
  }

  const insert = splitInsert(body);
  if (insert) {
    const data = body.subarray(insert.dataOffset);
    await writeFile(spoolFile, data);
    request.insert = { ...insert, file: spoolFile, compression: null, bytes: data.length };
  } else {
    request.sql = body.toString('utf8');
    if (request.sql.trim() === '') {
      throw ClickHouseError.of(62, 'SYNTAX_ERROR', 'Empty query');
    }
  }
  return request;
}

/** The request's database, default format, `param_*` values and settings. */
function describe(fields, req, engine) {
  const params = {};
  const settings = new Map();
  for (const [name, value] of fields) {
    if (name.startsWith('param_')) params[name.slice('param_'.length)] = value;
    else if (!HTTP_PARAMETERS.has(name) && engine.settingNames.has(name)) settings.set(name, value);
  }
  return {
    database: fields.get('database') || req.headers['x-clickhouse-database'] || 'default',
    format: fields.get('default_format') || req.headers['x-clickhouse-format'] || 'TabSeparated',
    params: Object.keys(params).length > 0 ? params : undefined,
    settings,
    sql: '',
    insert: null,
  };
}

async function readBody(req, encoding, engine) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  try {
    switch (encoding) {
      case '':
      case 'identity':
        return raw;
      case 'gzip':
      case 'x-gzip':
        return await gunzip(raw);
      case 'deflate':
        return await inflate(raw);
      case 'br':
        return await brotli(raw);
      case 'zstd':
        // Node 20 has no zstd; the engine's codec is native.
        return await engine.decompress(raw, 'zstd');
      default:
        throw ClickHouseError.of(24, 'UNKNOWN_COMPRESSION_METHOD', `Unknown HTTP Content-Encoding: ${encoding} (this test server decodes gzip, deflate, br and zstd)`);
    }
  } catch (error) {
    if (error instanceof ClickHouseError) throw error;
    throw ClickHouseError.of(24, 'CANNOT_DECOMPRESS', `Cannot decompress the ${encoding} request body: ${error.message}`);
  }
}

function trace(request, [start, cpu], received) {
  const used = process.cpuUsage(cpu);
  const ms = (t) => t.toFixed(0);
  const { insert } = request;
  process.stderr.write(`TRACE insert ${insert.bytes} B${insert.compression ? ` ${insert.compression}` : ''}: receive ${ms(received - start)} ms, `
    + `wait ${ms(request.acquired - received)} ms, engine ${ms(performance.now() - request.acquired)} ms; process CPU ${ms((used.user + used.system) / 1000)} ms\n`);
}

function authenticator({ user, password }, code) {
  const expected = Buffer.from(`${user}\0${password}`);
  return (req, search) => {
    let givenUser = 'default';
    let givenPassword = '';
    const authorization = req.headers.authorization;
    if (authorization?.startsWith('Basic ')) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      givenUser = colon < 0 ? decoded : decoded.slice(0, colon);
      givenPassword = colon < 0 ? '' : decoded.slice(colon + 1);
    } else if (req.headers['x-clickhouse-user'] !== undefined || req.headers['x-clickhouse-key'] !== undefined) {
      givenUser = String(req.headers['x-clickhouse-user'] ?? 'default');
      givenPassword = String(req.headers['x-clickhouse-key'] ?? '');
    } else if (search.has('user') || search.has('password')) {
      givenUser = search.get('user') ?? 'default';
      givenPassword = search.get('password') ?? '';
    }
    const given = Buffer.from(`${givenUser}\0${givenPassword}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ClickHouseError(code, `Code: ${code}. DB::Exception: ${givenUser}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)`);
    }
  };
}

function summaryHeader(values) {
  const summary = {
    read_rows: 0, read_bytes: 0, written_rows: 0, written_bytes: 0, total_rows_to_read: 0,
    result_rows: 0, result_bytes: 0, elapsed_ns: 0, ...values,
  };
  return JSON.stringify(Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, String(v ?? 0)])));
}

function contentType(format) {
  if (/^JSON/i.test(format)) return 'application/json; charset=UTF-8';
  if (/^(TabSeparated|TSV)/i.test(format)) return 'text/tab-separated-values; charset=UTF-8';
  if (/^CSV/i.test(format)) return 'text/csv; charset=UTF-8; header=absent';
  if (/^(Pretty|Vertical|Markdown|Values|XML|Template|Raw)/i.test(format)) return 'text/plain; charset=UTF-8';
  return 'application/octet-stream';
}

function sendText(res, status, text) {
  res.statusCode = status;
  if (!res.hasHeader('Content-Type') || status >= 300) res.setHeader('Content-Type', 'text/plain; charset=UTF-8');
  res.end(text);
}

async function drain(req) {
  for await (const _ of req) { /* discard */ }
}
