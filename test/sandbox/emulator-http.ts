import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Behaviour } from '../../sandbox/src/shared/behaviour.js';
import type { EmulatorServer } from '../../sandbox/src/shared/http.js';
import type { Effect } from '../../sandbox/src/shared/ledger.js';

/** Plain-HTTP helpers for the sandbox emulator tests. */

export interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** A temp directory removed by the returned cleanup. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function sendJson(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : null };
}

export async function ledgerOf(server: EmulatorServer): Promise<Effect[]> {
  return ((await sendJson(`${server.url}/_sandbox/ledger`)).body as { effects: Effect[] }).effects;
}

export async function setBehaviour(
  server: EmulatorServer,
  patch: Partial<Behaviour> | object,
): Promise<void> {
  await sendJson(`${server.url}/_sandbox/behaviour`, { method: 'PUT', body: JSON.stringify(patch) });
}
