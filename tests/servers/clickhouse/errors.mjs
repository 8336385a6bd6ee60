// ClickHouse-shaped errors: what the HTTP interface answers when a query fails.

/** An error to send as ClickHouse would: `Code: N. DB::Exception: …` plus the code header. */
export class ClickHouseError extends Error {
  /**
   * @param {number} code ClickHouse error code (e.g. 60 UNKNOWN_TABLE)
   * @param {string} message full `Code: N. DB::Exception: …` text
   */
  constructor(code, message) {
    super(message);
    this.code = code;
  }

  /** Builds the error from a ClickHouse error name and message, the way the server words it. */
  static of(code, name, text) {
    return new ClickHouseError(code, `Code: ${code}. DB::Exception: ${text}. (${name})`);
  }
}

const CODE_PREFIX = /Code:\s*(\d+)\./;

/** Turns whatever chdb threw into a ClickHouseError, keeping the engine's own code and message. */
export function fromEngineError(error) {
  if (error instanceof ClickHouseError) return error;
  const message = String(error?.message ?? error);
  const match = CODE_PREFIX.exec(message);
  if (match) return new ClickHouseError(Number(match[1]), message.slice(match.index));
  // 1001 STD_EXCEPTION: what the server reports for a failure that carries no ClickHouse code.
  return new ClickHouseError(1001, `Code: 1001. DB::Exception: ${message}. (STD_EXCEPTION)`);
}

// The HTTP status ClickHouse's server gives each error (src/Server/HTTP/exceptionCodeToHTTPStatus.cpp),
// by error name; names are resolved to codes by the engine at start-up (errorCodeToName).
const STATUS_BY_NAME = {
  401: ['REQUIRED_PASSWORD'],
  403: ['UNKNOWN_USER', 'WRONG_PASSWORD', 'AUTHENTICATION_FAILED', 'SET_NON_GRANTED_ROLE', 'ACCESS_DENIED'],
  400: ['BAD_ARGUMENTS', 'CANNOT_COMPILE_REGEXP', 'CANNOT_PARSE_TEXT', 'CANNOT_PARSE_ESCAPE_SEQUENCE',
    'CANNOT_PARSE_QUOTED_STRING', 'CANNOT_PARSE_DATE', 'CANNOT_PARSE_DATETIME', 'CANNOT_PARSE_NUMBER',
    'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING', 'CANNOT_PARSE_IPV4', 'CANNOT_PARSE_IPV6',
    'CANNOT_PARSE_INPUT_ASSERTION_FAILED', 'CANNOT_PARSE_UUID', 'DUPLICATE_COLUMN', 'ILLEGAL_COLUMN',
    'UNKNOWN_ELEMENT_IN_AST', 'UNKNOWN_TYPE_OF_AST_NODE', 'THERE_IS_NO_COLUMN', 'TOO_DEEP_AST', 'TOO_BIG_AST',
    'UNEXPECTED_AST_STRUCTURE', 'SYNTAX_ERROR', 'INCORRECT_DATA', 'TYPE_MISMATCH',
    'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE'],
  404: ['UNKNOWN_TABLE', 'UNKNOWN_FUNCTION', 'UNKNOWN_IDENTIFIER', 'UNKNOWN_TYPE', 'UNKNOWN_STORAGE',
    'UNKNOWN_DATABASE', 'UNKNOWN_SETTING', 'UNKNOWN_DIRECTION_OF_SORTING', 'UNKNOWN_AGGREGATE_FUNCTION',
    'UNKNOWN_FORMAT', 'UNKNOWN_DATABASE_ENGINE', 'UNKNOWN_TYPE_OF_QUERY', 'UNKNOWN_ROLE'],
  413: ['QUERY_IS_TOO_LARGE'],
  501: ['NOT_IMPLEMENTED'],
  503: ['SOCKET_TIMEOUT', 'CANNOT_OPEN_FILE', 'CANNOT_SCHEDULE_TASK'],
  411: ['HTTP_LENGTH_REQUIRED'],
  408: ['TIMEOUT_EXCEEDED'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
};

/** Maps error codes to HTTP statuses; built once from the engine's own code table. */
export class HttpStatusTable {
  /** @param {Map<string, number>} codesByName */
  constructor(codesByName) {
    this.statusByCode = new Map();
    for (const [status, names] of Object.entries(STATUS_BY_NAME)) {
      for (const name of names) {
        const code = codesByName.get(name);
        if (code !== undefined) this.statusByCode.set(code, Number(status));
      }
    }
  }

  statusOf(code) {
    return this.statusByCode.get(code) ?? 500;
  }
}
