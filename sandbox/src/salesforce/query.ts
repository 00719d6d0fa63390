import { randomBytes } from 'node:crypto';
import type { Route, SandboxRequest, SandboxResponse } from '../shared/http.js';
import { apiRoute, type ApiGate } from './api.js';
import { dayOf } from './dates.js';
import { SalesforceApiError } from './errors.js';
import type { RecordReader } from './records.js';
import { recordUrl } from './sobjects.js';
import { SoqlError } from './soql/errors.js';
import type { ResultRecord } from './soql/evaluate.js';
import { runSoql } from './soql/run.js';

const DEFAULT_BATCH = 2000;
const MIN_BATCH = 200;

/** Query cursors kept at most; the oldest unread one is dropped first. */
const MAX_CURSORS = 100;

interface Cursor {
  /** The query locator (`01g…`). */
  id: string;
  records: ResultRecord[];
  totalSize: number;
  batch: number;
}

/**
 * `GET …/query?q=SOQL` and `GET …/query/{locator}`: answers `{ totalSize, done, records }`, in batches of
 * 2000 (or the `Sforce-Query-Options: batchSize=N` asked, 200–2000) with a `nextRecordsUrl`
 * (`…/query/{locator}-{offset}`) while more remain. Cursors live in memory, as they expire at Salesforce.
 */
export function queryRoutes(gate: ApiGate, reader: RecordReader, now: () => number): Route[] {
  const cursors = new Map<string, Cursor>();

  const page = (version: string, cursor: Cursor, offset: number): SandboxResponse => {
    const end = offset + cursor.batch;
    const body: Record<string, unknown> = { totalSize: cursor.totalSize, done: end >= cursor.records.length };
    if (end < cursor.records.length) {
      cursors.set(cursor.id, cursor);
      if (cursors.size > MAX_CURSORS) cursors.delete(cursors.keys().next().value as string);
      body.nextRecordsUrl = `/services/data/${version}/query/${cursor.id}-${end}`;
    } else {
      cursors.delete(cursor.id);
    }
    body.records = cursor.records.slice(offset, end);
    return { status: 200, body };
  };

  return [
    apiRoute(gate, 'GET', '/query', (req, version) => {
      const soql = req.query.get('q');
      if (!soql) throw new SalesforceApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
      try {
        const result = runSoql(soql, {
          today: dayOf(now()),
          source: reader,
          urlOf: (row) => recordUrl(version, row),
        });
        const id = `01g${randomBytes(8).toString('hex').slice(0, 15)}`;
        return page(version, { id, ...result, batch: batchSize(req) }, 0);
      } catch (error) {
        if (error instanceof SoqlError)
          throw new SalesforceApiError(400, error.errorCode, error.describe(soql));
        throw error;
      }
    }),
    apiRoute(gate, 'GET', '/query/:locator', (req, version) => {
      const [locator = '', offset = ''] = (req.params.locator ?? '').split('-');
      const cursor = cursors.get(locator);
      if (!cursor || !/^\d+$/.test(offset)) {
        throw new SalesforceApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
      }
      return page(version, cursor, Number(offset));
    }),
  ];
}

/** `Sforce-Query-Options: batchSize=500`, kept within Salesforce's 200–2000. */
function batchSize(req: SandboxRequest): number {
  const header = req.headers['sforce-query-options'];
  const match = typeof header === 'string' ? /batchSize=(\d+)/i.exec(header) : null;
  if (!match) return DEFAULT_BATCH;
  return Math.min(DEFAULT_BATCH, Math.max(MIN_BATCH, Number(match[1])));
}
