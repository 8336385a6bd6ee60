// Which output formats can be streamed chunk by chunk. chdb formats every streamed chunk as a
// complete result of its own, so a chunk of a format with a header (names, types) repeats it:
// RowBinaryWithNames[AndTypes] keep the first chunk's header and drop the rest; formats whose
// chunks do not simply concatenate (JSON, Pretty, Parquet, CSVWithNames, …) are not streamed.

const HEADERLESS = new Set([
  'rowbinary', 'tabseparated', 'tsv', 'tabseparatedraw', 'tsvraw', 'csv', 'jsoneachrow', 'jsonstringseachrow',
  'jsoncompacteachrow', 'jsoncompactstringseachrow', 'ndjson', 'jsonlines', 'native', 'values', 'rawblob',
]);
const WITH_NAMES = 'rowbinarywithnames';
const WITH_NAMES_AND_TYPES = 'rowbinarywithnamesandtypes';

/** True when results in this format may be streamed (see {@link headerLength}). */
export function isStreamable(format) {
  const name = format.toLowerCase();
  return HEADERLESS.has(name) || name === WITH_NAMES || name === WITH_NAMES_AND_TYPES;
}

/** Length of the header every chunk of `format` starts with (0 for none). */
export function headerLength(format, chunk) {
  const name = format.toLowerCase();
  if (name !== WITH_NAMES && name !== WITH_NAMES_AND_TYPES) return 0;
  let offset = 0;
  const readVarUInt = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = chunk[offset++];
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  const columns = readVarUInt();
  const strings = name === WITH_NAMES_AND_TYPES ? columns * 2 : columns;
  for (let i = 0; i < strings; i++) {
    const length = readVarUInt(); // read first: it moves offset
    offset += length;
  }
  return offset;
}
