export type SoqlErrorCode =
  'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE' | 'INVALID_QUERY_FILTER_OPERATOR';

/** A refused query: Salesforce's error code, what is wrong, and where (an offset into the query text). */
export class SoqlError extends Error {
  constructor(
    readonly errorCode: SoqlErrorCode,
    readonly detail: string,
    readonly pos: number | null,
  ) {
    super(detail);
  }

  /**
   * The message as Salesforce words it: the query line, a caret under the fault, its row and column, then
   * the detail (`\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\nsObject type …`).
   */
  describe(soql: string): string {
    if (this.pos === null) return this.detail;
    const before = soql.slice(0, this.pos);
    const row = before.split('\n').length;
    const lineStart = before.lastIndexOf('\n') + 1;
    const lineEnd = soql.indexOf('\n', this.pos);
    const line = soql.slice(lineStart, lineEnd < 0 ? soql.length : lineEnd);
    const column = this.pos - lineStart + 1;
    return `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${this.detail}`;
  }
}

export function malformed(detail: string, pos: number | null): SoqlError {
  return new SoqlError('MALFORMED_QUERY', detail, pos);
}
