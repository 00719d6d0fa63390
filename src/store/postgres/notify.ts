import pg from 'pg';
import { ChangeSignal } from '../change-signal.js';

/** The channel the calls triggers notify (migrations/postgres/0001_init.sql). */
export const CALLS_CHANNEL = 'switchyard_calls';

export interface ListenOptions {
  /** Settings of the dedicated listening connection. */
  client: pg.ClientConfig;
  /** Whether a backend (by process id) is one of this store's own pool connections. */
  isOwnBackend: (pid: number) => boolean;
  /** The fallback poll's interval (ms). */
  fallbackPollMs: number;
  /** Signals closer together than this are merged (ms). */
  minGapMs: number;
  /** Reconnect backoff bounds (ms). */
  reconnectMs: { min: number; max: number };
}

/**
 * The change signal of a PostgreSQL store.
 *
 * - This process's commits are announced directly, right after they commit (`changed()`).
 * - Other processes' commits arrive by LISTEN on a dedicated connection: the calls triggers NOTIFY at
 *   commit. Notifications from this store's own pool connections are dropped: this process announces
 *   its own changes itself (as on SQLite, its claims and heartbeats wake nobody).
 * - After every (re)LISTEN one signal goes out: whatever committed while nobody listened is looked at.
 * - A dropped listening connection is reconnected with exponential backoff and jitter, for as long as
 *   someone listens.
 * - The fallback poll, while someone listens: every `fallbackPollMs`, a signal goes out if none went out
 *   during the last interval (or the connection is down), and a quiet connection is probed with `SELECT 1`
 *   (a half-open socket that delivers nothing is replaced). A lost notification thus costs at most two
 *   intervals of latency, never a call: listeners re-read the state on every signal.
 */
export class PostgresChangeNotifier {
  private readonly signal: ChangeSignal;
  private client: pg.Client | null = null;
  private listening = false;
  private failures = 0;
  /** When the listening connection last showed it was alive (a notification or a probe answer). */
  private lastHeard = 0;
  private probing = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: ListenOptions) {
    this.signal = new ChangeSignal(
      { onActive: () => this.activate(), onIdle: () => this.idle() },
      options.minGapMs,
    );
  }

  subscribe(listener: () => void): () => void {
    return this.signal.subscribe(listener);
  }

  /** This process committed a change to calls. */
  changed(): void {
    this.signal.changed();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signal.close();
    clearTimeout(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    this.listening = false;
    if (client) await endClient(client);
  }

  private activate(): void {
    if (this.closed) return;
    this.connect();
    this.schedulePoll();
  }

  /**
   * Nobody listens: the poll and reconnect attempts stop. A live connection is kept, so the next
   * subscriber (the gateway's waiter comes and goes with traffic) starts without a reconnect.
   */
  private idle(): void {
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  private connect(): void {
    if (this.client || this.closed) return;
    const client = new pg.Client(this.options.client);
    this.client = client;
    client.on('notification', (message) => {
      this.lastHeard = Date.now();
      if (!this.options.isOwnBackend(message.processId)) this.signal.changed();
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client
      .connect()
      .then(() => client.query(`LISTEN ${CALLS_CHANNEL}`))
      .then(
        () => {
          if (this.client !== client) return;
          this.listening = true;
          this.failures = 0;
          this.lastHeard = Date.now();
          this.signal.changed();
        },
        () => this.lost(client),
      );
  }

  /** The listening connection failed: drop it, and reconnect later while someone listens. */
  private lost(client: pg.Client, destroy = false): void {
    if (this.client !== client) return;
    this.client = null;
    this.listening = false;
    if (destroy) socketOf(client)?.destroy();
    void endClient(client);
    if (this.closed || !this.signal.listening || this.reconnectTimer) return;
    const { min, max } = this.options.reconnectMs;
    const delay = Math.min(max, min * 2 ** this.failures++) * (0.5 + Math.random() / 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.signal.listening) this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private schedulePoll(): void {
    if (this.pollTimer || this.closed) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      if (this.closed || !this.signal.listening) return;
      this.poll();
      this.schedulePoll();
    }, this.options.fallbackPollMs);
    this.pollTimer.unref();
  }

  private poll(): void {
    const interval = this.options.fallbackPollMs;
    const now = Date.now();
    if (!this.listening || now - this.signal.lastSignalAt >= interval) this.signal.changed();
    if (!this.client) {
      if (!this.reconnectTimer) this.connect();
      return;
    }
    if (this.listening && now - this.lastHeard >= interval) this.probe(this.client);
  }

  private probe(client: pg.Client): void {
    if (this.probing) return;
    this.probing = true;
    let settled = false;
    const settle = (alive: boolean, destroy = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.probing = false;
      if (alive) {
        if (this.client === client) this.lastHeard = Date.now();
      } else this.lost(client, destroy);
    };
    // No answer in time: the socket is presumed dead (half-open) and replaced.
    const timer = setTimeout(() => settle(false, true), Math.max(5 * this.options.fallbackPollMs, 1_000));
    client.query('SELECT 1').then(
      () => settle(true),
      () => settle(false),
    );
  }
}

/** Ends a client; one whose peer does not answer (half-open) is cut off after a second. */
async function endClient(client: pg.Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const cutOff = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      socketOf(client)?.destroy();
      resolve();
    }, 1_000);
    timer.unref();
  });
  await Promise.race([client.end().catch(() => undefined), cutOff]);
  clearTimeout(timer);
}

/** The socket under a pg client (not public API: used only to drop a connection that stopped answering). */
function socketOf(client: pg.Client): { destroy(): void } | undefined {
  return (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
}
