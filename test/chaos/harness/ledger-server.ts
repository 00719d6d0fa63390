import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One effect a downstream executed (the sandbox emulators' ledger entries have the same fields). */
export interface LedgerEffect {
  operation: string;
  idempotencyKey: string | null;
  target: string | null;
  at: number;
}

/**
 * A downstream on 127.0.0.1 for the `local` http connection that honours `Idempotency-Key` as Stripe
 * does: the first request with a key executes (one ledger entry) and its answer is saved; a repeat is
 * answered from the saved answer and is counted as a delivery, not an effect. A request without a key
 * always executes. `delayMs` holds each request, so kills and failpoints land while a step is running.
 */
export async function startLedgerServer(options: { delayMs?: number } = {}): Promise<{
  port: number;
  effects: LedgerEffect[];
  deliveries: number;
  close(): Promise<void>;
}> {
  const saved = new Map<string, string>();
  const state = {
    port: 0,
    effects: [] as LedgerEffect[],
    deliveries: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      setTimeout(() => {
        state.deliveries++;
        const key =
          typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
        let answer = key === null ? undefined : saved.get(key);
        if (answer === undefined) {
          const target = `e${state.effects.length + 1}`;
          state.effects.push({
            operation: `${req.method} ${req.url}`,
            idempotencyKey: key,
            target,
            at: Date.now(),
          });
          answer = JSON.stringify({ accepted: target, echo: body.length });
          if (key !== null) saved.set(key, answer);
        }
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(answer);
      }, options.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  return state;
}
