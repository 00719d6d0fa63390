import path from 'node:path';
import { behaviourFor } from '../../sandbox/src/shared/behaviour.js';
import { SANDBOX_CREDENTIALS } from '../../sandbox/src/shared/credentials.js';
import {
  startSalesforceEmulator,
  type SalesforceEmulatorOptions,
} from '../../sandbox/src/salesforce/index.js';
import { ledgerOf, sendJson, tempDir, type Answer } from './emulator-http.js';

export { sendJson, setBehaviour } from './emulator-http.js';

export const SF = SANDBOX_CREDENTIALS.salesforce;
export const API = '/services/data/v60.0';

/** A fixed "now" the tests move by hand: 2026-11-23 09:30 UTC. */
export function testClock(start = Date.parse('2026-11-23T09:30:00Z')) {
  const clock = { ms: start, now: () => clock.ms };
  return clock;
}

/**
 * A Salesforce emulator on an ephemeral port with its state in a temp file, and a JSON client that takes
 * a client_credentials token on first use (and again after `resetToken`).
 */
export async function startSalesforce(options: Partial<SalesforceEmulatorOptions> = {}) {
  const temp = tempDir();
  const stateFile = options.stateFile ?? path.join(temp.dir, 'salesforce.sqlite');
  const start = () =>
    startSalesforceEmulator({
      port: 0,
      stateFile,
      behaviour: behaviourFor('salesforce', 'fast'),
      ...options,
    });
  let server = await start();
  let token: string | null = null;

  const client = {
    get server() {
      return server;
    },
    stateFile,
    /** POST /services/oauth2/token with these form fields. */
    tokenRequest(form: Record<string, string>): Promise<Answer> {
      return sendJson(`${server.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
    },
    async token(): Promise<string> {
      if (token) return token;
      const answer = await client.tokenRequest({
        grant_type: 'client_credentials',
        client_id: SF.clientId,
        client_secret: SF.clientSecret,
      });
      token = answer.body.access_token as string;
      return token;
    },
    resetToken() {
      token = null;
    },
    /** A REST call under /services/data/v60.0 (or an absolute /services/… path). */
    async call(
      method: string,
      pathname: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<Answer> {
      const url = `${server.url}${pathname.startsWith('/services/') ? pathname : API + pathname}`;
      return sendJson(url, {
        method,
        headers: {
          authorization: `Bearer ${await client.token()}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
    },
    get: (pathname: string, headers?: Record<string, string>) =>
      client.call('GET', pathname, undefined, headers),
    post: (pathname: string, body: unknown) => client.call('POST', pathname, body),
    patch: (pathname: string, body: unknown) => client.call('PATCH', pathname, body),
    delete: (pathname: string) => client.call('DELETE', pathname),
    query: (soql: string, headers?: Record<string, string>) =>
      client.get(`/query?q=${encodeURIComponent(soql)}`, headers),
    /** The records of a query, which must succeed. */
    async records(soql: string) {
      const answer = await client.query(soql);
      if (answer.status !== 200) throw new Error(`query failed: ${JSON.stringify(answer.body)}`);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return answer.body.records as any[];
    },
    ledger: () => ledgerOf(server),
    async tokenCounts() {
      return (await sendJson(`${server.url}/_sandbox/salesforce/tokens`)).body as {
        issued: number;
        byGrant: { client_credentials: number; refresh_token: number };
        refused: number;
      };
    },
    async restart() {
      await server.close();
      server = await start();
    },
    async close() {
      await server.close();
      temp.remove();
    },
  };
  return client;
}

export type SalesforceClient = Awaited<ReturnType<typeof startSalesforce>>;
