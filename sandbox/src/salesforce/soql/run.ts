import type { Row } from '../records.js';
import { projectRow, selectRows, type RecordSource, type ResultRecord } from './evaluate.js';
import { parseSoql } from './parser.js';
import { resolveQuery } from './resolve.js';

export interface SoqlResult {
  totalSize: number;
  records: ResultRecord[];
}

/**
 * Runs a SOQL statement: parse, check against the object model, select, project. Throws SoqlError for a
 * statement Salesforce would refuse. `today` (`YYYY-MM-DD`) is the day TODAY names.
 */
export function runSoql(
  soql: string,
  options: { today: string; source: RecordSource; urlOf: (row: Row) => string },
): SoqlResult {
  const query = resolveQuery(parseSoql(soql), options.today);
  const rows = selectRows(query, options.source);
  if (query.select === 'count') return { totalSize: rows.length, records: [] };
  const paths = query.select;
  return {
    totalSize: rows.length,
    records: rows.map((row) => projectRow(paths, row, options.source, options.urlOf)),
  };
}
