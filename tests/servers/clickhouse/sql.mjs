// Finds where an INSERT statement ends and its inline data begins, the way ClickHouse's HTTP
// interface splits `INSERT INTO t (…) FORMAT RowBinary\n<rows>`. Works on raw bytes so that a
// binary payload is never decoded: only the statement in front of it is scanned.

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0c, 0x0b]);
const isIdentStart = (b) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f;
const isIdentPart = (b) => isIdentStart(b) || (b >= 0x30 && b <= 0x39);

/** Yields the tokens of interest (words at paren depth 0) with their byte ranges. */
function* topLevelWords(buf, start = 0) {
  let i = start;
  let depth = 0;
  const n = buf.length;
  while (i < n) {
    const b = buf[i];
    if (SPACE.has(b)) { i++; continue; }
    if (b === 0x2d && buf[i + 1] === 0x2d) { i = skipLine(buf, i); continue; } // -- comment
    if (b === 0x23) { i = skipLine(buf, i); continue; } // # comment
    if (b === 0x2f && buf[i + 1] === 0x2a) { // /* comment */
      const end = buf.indexOf('*/', i + 2, 'latin1');
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (b === 0x27 || b === 0x22 || b === 0x60) { i = skipQuoted(buf, i, b); continue; }
    if (b === 0x28 || b === 0x5b) { depth++; i++; continue; }
    if (b === 0x29 || b === 0x5d) { depth--; i++; continue; }
    if (b === 0x3b) { yield { word: ';', start: i, end: i + 1, depth }; i++; continue; }
    if (isIdentStart(b)) {
      let j = i + 1;
      while (j < n && isIdentPart(buf[j])) j++;
      yield { word: buf.toString('latin1', i, j).toUpperCase(), start: i, end: j, depth };
      i = j;
      continue;
    }
    i++;
  }
}

function skipLine(buf, i) {
  const end = buf.indexOf(0x0a, i);
  return end < 0 ? buf.length : end + 1;
}

function skipQuoted(buf, i, quote) {
  let j = i + 1;
  while (j < buf.length) {
    const b = buf[j];
    if (b === 0x5c) { j += 2; continue; } // backslash escape
    if (b === quote) {
      if (buf[j + 1] === quote) { j += 2; continue; } // doubled quote
      return j + 1;
    }
    j++;
  }
  return j;
}

/** The first keyword of a statement (upper-cased), or '' when there is none. */
export function firstKeyword(buf) {
  for (const token of topLevelWords(buf)) return token.word;
  return '';
}

/**
 * For `INSERT … FORMAT <name>` followed by inline data, returns the statement (as text), where in
 * it a `FROM INFILE` clause belongs (before SETTINGS/FORMAT) and the offset where the data starts;
 * for anything else (including INSERT … VALUES / SELECT) null.
 * @param {Buffer} buf
 * @returns {{ statement: string, infileAt: number, dataOffset: number } | null}
 */
export function splitInsert(buf) {
  const words = topLevelWords(buf);
  const first = words.next();
  if (first.done || first.value.word !== 'INSERT') return null;
  let previous = null;
  let infileAt = -1;
  for (const token of words) {
    if (token.depth !== 0) { previous = null; continue; }
    if (token.word === ';' || token.word === 'VALUES' || token.word === 'SELECT' || token.word === 'WITH' || token.word === 'INFILE') return null;
    if ((token.word === 'SETTINGS' || token.word === 'FORMAT') && infileAt < 0) infileAt = token.start;
    if (previous === 'FORMAT') {
      const statement = buf.subarray(0, token.end);
      return {
        statement: statement.toString('utf8'),
        infileAt: statement.subarray(0, infileAt).toString('utf8').length,
        dataOffset: dataStart(buf, token.end),
      };
    }
    previous = token.word;
  }
  return null;
}

// ClickHouse starts inline data after the blanks that follow the format name and one line break.
function dataStart(buf, i) {
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x0c)) i++;
  if (buf[i] === 0x0d) i++;
  if (buf[i] === 0x0a) i++;
  return i;
}
