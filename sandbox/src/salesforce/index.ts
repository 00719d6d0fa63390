import type { EmulatorOptions } from '../shared/emulator.js';
import { startEmulator, type EmulatorServer } from '../shared/http.js';
import { Ledger } from '../shared/ledger.js';
import { openState } from '../shared/state.js';
import { dayOf, formatDateTime } from './dates.js';
import { Dml } from './dml.js';
import { notFound } from './errors.js';
import { limitRoutes } from './limits.js';
import { oauthRoutes } from './oauth.js';
import { queryRoutes } from './query.js';
import { ApiQuota } from './quota.js';
import { RecordReader } from './records.js';
import { sandboxRoutes } from './sandbox-routes.js';
import { seedDewyResort } from './seed.js';
import { Sessions } from './sessions.js';
import { sobjectRoutes } from './sobjects.js';
import { RecordStore } from './store.js';

export interface SalesforceEmulatorOptions extends EmulatorOptions {
  /** How long an access token lasts from issue (default 15 minutes). */
  accessTokenTtlMs?: number;
  /** The org's daily API request allowance (default 15,000). */
  dailyApiLimit?: number;
  /** The clock (ms), for tests of token expiry and of what TODAY is; defaults to Date.now. */
  now?: () => number;
}

export const DEFAULT_ACCESS_TOKEN_TTL_MS = 15 * 60_000;
export const DEFAULT_DAILY_API_LIMIT = 15_000;

/**
 * Emulates the Dewy Resort Salesforce org's REST API: OAuth2 token grants with short-lived sessions, SOQL
 * queries, sObject create/read/update/delete and upsert by external id, the daily API allowance and
 * `/limits`, in Salesforce's wire formats. Records live in the SQLite state file (seeded with the resort
 * when the state is new); every executed change goes on the ledger.
 */
export async function startSalesforceEmulator(options: SalesforceEmulatorOptions): Promise<EmulatorServer> {
  const db = openState(options.stateFile);
  const now = options.now ?? Date.now;
  const store = new RecordStore(db);
  const reader = new RecordReader(store);
  const dml = new Dml(store, reader, now);
  const ledger = new Ledger(db, 'salesforce');
  const sessions = new Sessions(db, options.accessTokenTtlMs ?? DEFAULT_ACCESS_TOKEN_TTL_MS, now);
  const gate = { sessions, quota: new ApiQuota(db, options.dailyApiLimit ?? DEFAULT_DAILY_API_LIMIT, now) };

  if (store.meta('created_at') === null) {
    store.transaction(() => {
      store.setMeta('created_at', formatDateTime(now()));
      if (options.seed ?? true) seedDewyResort(dml, dayOf(now()));
    });
  }

  let baseUrl = '';
  const server = await startEmulator({
    name: 'salesforce',
    port: options.port,
    routes: [
      ...oauthRoutes(sessions, () => baseUrl),
      ...limitRoutes(gate),
      ...queryRoutes(gate, reader, now),
      ...sobjectRoutes({ gate, dml, reader, ledger }),
      ...sandboxRoutes(sessions),
    ],
    behaviour: options.behaviour,
    ledger,
    notFound: () => notFound().toResponse(),
  });
  baseUrl = server.url;
  const close = server.close.bind(server);
  server.close = async () => {
    await close();
    db.close();
  };
  return server;
}
