// "Evaluating Matches" of MongoDB's unified test format: root-level documents may have extra
// fields, nested ones may not; numbers compare flexibly (except Decimal128); $$ operators.
import { Binary, BSONRegExp, Decimal128, Double, Int32, Long, ObjectId, Timestamp } from 'mongodb';

export class MatchError extends Error {}

const fail = (path, message) => {
  throw new MatchError(`${path || '<root>'}: ${message}`);
};

const isPlainDocument = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && (v.constructor === Object || v.constructor === undefined);

/** The numeric value of a BSON number wrapper or JS number, or undefined when not a (non-decimal) number. */
export function numericValue(v) {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Int32 || v instanceof Double) return v.valueOf();
  if (v instanceof Long) return v.toNumber();
  return undefined;
}

/** The $type alias of a value as the driver returned it. */
export function typeOf(v) {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (v instanceof Int32) return 'int';
  if (v instanceof Long || typeof v === 'bigint') return 'long';
  if (v instanceof Double) return 'double';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= 2 ** 31 - 1 ? 'int' : 'double';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof Decimal128) return 'decimal';
  if (v instanceof ObjectId) return 'objectId';
  if (v instanceof Date) return 'date';
  if (v instanceof Timestamp) return 'timestamp';
  if (v instanceof Binary) return 'binData';
  if (v instanceof BSONRegExp || v instanceof RegExp) return 'regex';
  if (Array.isArray(v)) return 'array';
  if (v?._bsontype === 'MinKey') return 'minKey';
  if (v?._bsontype === 'MaxKey') return 'maxKey';
  if (v?._bsontype === 'Code') return 'javascript';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function typeMatches(expected, actual) {
  const names = Array.isArray(expected) ? expected : [expected];
  const actualType = typeOf(actual);
  return names.some((name) => name === actualType || (name === 'number' && ['int', 'long', 'double', 'decimal'].includes(actualType))
    // A JS number that holds an integer may have been an int, long or double on the wire.
    || (typeof actual === 'number' && Number.isInteger(actual) && ['int', 'long', 'double'].includes(name))
    || (typeof actual === 'number' && name === 'double'));
}

function scalarEquals(expected, actual) {
  const e = numericValue(expected);
  const a = numericValue(actual);
  if (e !== undefined || a !== undefined) return e !== undefined && a !== undefined && (e === a || (Number.isNaN(e) && Number.isNaN(a)));
  if (expected instanceof Decimal128 || actual instanceof Decimal128) {
    return expected instanceof Decimal128 && actual instanceof Decimal128 && expected.toString() === actual.toString();
  }
  if (expected instanceof Date) return actual instanceof Date && expected.getTime() === actual.getTime();
  if (expected?._bsontype && expected._bsontype === actual?._bsontype) {
    if (typeof expected.equals === 'function') return expected.equals(actual);
    return JSON.stringify(expected) === JSON.stringify(actual);
  }
  return expected === actual;
}

/**
 * Asserts that `actual` matches `expected`; throws a MatchError naming the first difference.
 * `entities` resolves $$matchesEntity and $$sessionLsid.
 */
export function match(expected, actual, { root = true, entities, path = '' } = {}) {
  // The driver keeps some command fields (e.g. find's sort) as Maps, to hold their key order.
  if (actual instanceof Map) actual = Object.fromEntries(actual);
  // Driver option objects (ReadConcern, WriteConcern…) in command events are documents on the wire.
  if (isPlainDocument(expected) && actual && typeof actual === 'object' && !Array.isArray(actual) && !actual._bsontype
    && !(actual instanceof Date) && !isPlainDocument(actual)) actual = { ...actual };
  if (isPlainDocument(expected)) {
    const keys = Object.keys(expected);
    if (keys.length === 1 && keys[0].startsWith('$$')) {
      specialOperator(keys[0], expected[keys[0]], actual, { root, entities, path });
      return;
    }
    if (!isPlainDocument(actual)) fail(path, `expected a document, got ${typeOf(actual)} ${safe(actual)}`);
    for (const key of keys) {
      const value = expected[key];
      const childPath = path ? `${path}.${key}` : key;
      if (isPlainDocument(value)) {
        const inner = Object.keys(value);
        if (inner.length === 1 && inner[0] === '$$exists') {
          if (value.$$exists !== (key in actual && actual[key] !== undefined)) fail(childPath, value.$$exists ? 'missing' : `should not exist, is ${safe(actual[key])}`);
          continue;
        }
        if (inner.length === 1 && inner[0] === '$$unsetOrMatches') {
          if (!(key in actual) || actual[key] === undefined) continue;
          match(value.$$unsetOrMatches, actual[key], { root: false, entities, path: childPath });
          continue;
        }
      }
      if (!(key in actual) || actual[key] === undefined) fail(childPath, `missing (expected ${safe(value)})`);
      match(value, actual[key], { root: false, entities, path: childPath });
    }
    if (!root) {
      const extra = Object.keys(actual).filter((k) => !(k in expected) && actual[k] !== undefined);
      if (extra.length > 0) fail(path, `unexpected fields ${extra.join(', ')}`);
    }
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) fail(path, `expected an array, got ${typeOf(actual)} ${safe(actual)}`);
    if (actual.length !== expected.length) fail(path, `expected ${expected.length} elements, got ${actual.length}: ${safe(actual)}`);
    expected.forEach((value, i) => match(value, actual[i], { root: false, entities, path: `${path}[${i}]` }));
    return;
  }
  if (!scalarEquals(expected, actual)) fail(path, `expected ${safe(expected)} (${typeOf(expected)}), got ${safe(actual)} (${typeOf(actual)})`);
}

function specialOperator(name, argument, actual, { root, entities, path }) {
  switch (name) {
    case '$$type':
      if (actual === undefined || !typeMatches(argument, actual)) fail(path, `expected type ${argument}, got ${typeOf(actual)}`);
      return;
    case '$$exists':
      if (argument !== (actual !== undefined)) fail(path, argument ? 'missing' : 'should not exist');
      return;
    case '$$unsetOrMatches':
      if (actual !== undefined) match(argument, actual, { root, entities, path });
      return;
    case '$$matchesEntity':
      match(entities.get(argument), actual, { root, entities, path });
      return;
    case '$$sessionLsid': {
      const lsid = entities.sessionLsid(argument);
      if (!actual?.id || !lsid?.id || !Buffer.from(actual.id.buffer).equals(Buffer.from(lsid.id.buffer))) fail(path, `not the lsid of ${argument}`);
      return;
    }
    case '$$lte': {
      const a = numericValue(actual);
      if (a === undefined || a > numericValue(argument)) fail(path, `expected <= ${argument}, got ${safe(actual)}`);
      return;
    }
    case '$$matchAsDocument':
      match(argument, JSON.parse(actual), { root: false, entities, path });
      return;
    case '$$matchAsRoot':
      match(argument, actual, { root: true, entities, path });
      return;
    case '$$matchesHexBytes': {
      const bytes = actual instanceof Binary ? Buffer.from(actual.buffer) : Buffer.from(actual ?? []);
      if (bytes.toString('hex').toLowerCase() !== String(argument).toLowerCase()) fail(path, `bytes differ: ${bytes.toString('hex')}`);
      return;
    }
    default:
      throw new Error(`unsupported match operator ${name}`);
  }
}

/** A short printable form of a value for messages. */
export function safe(value) {
  try {
    const text = JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
    return text && text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return String(value);
  }
}
