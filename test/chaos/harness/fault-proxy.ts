import net from 'node:net';

export type ProxyMode = 'pass' | 'blackhole';

interface Pair {
  client: net.Socket;
  upstream: net.Socket | null;
  /** This connection sent the statement `blackholeAtAnswer` waits for; its answer trips the blackhole. */
  armed?: boolean;
}

/** PostgreSQL's ReadyForQuery message ('Z', length 5, status): the end of a statement's answer. */
const READY_FOR_QUERY = Buffer.from([0x5a, 0, 0, 0, 5]);

/**
 * A TCP fault proxy on 127.0.0.1 between Switchyard and PostgreSQL, switchable at run time:
 * - `latency(ms)`: every chunk, both ways, is delayed (order kept);
 * - `resetAll()`: every open connection is reset (RST to the client), as a server crash or a failover does;
 * - `blackhole()`: half-open: the upstream side of every connection is dropped while the client side
 *   stays open and silent, and new connections are accepted but never forwarded (pg-boss's
 *   halfOpenProxy design) — the client sees a socket that never answers; `heal()` forwards new
 *   connections again (blackholed ones stay dead, as they would after a real partition);
 * - `blackholeAtAnswer(marker)`: the blackhole, at the moment a given statement was answered.
 */
export class FaultProxy {
  private readonly pairs = new Set<Pair>();
  private server: net.Server | null = null;
  private mode: ProxyMode = 'pass';
  private delayMs = 0;
  private trigger: { marker: Buffer; deliver: boolean } | null = null;
  readonly stats = { connections: 0, resets: 0, blackholed: 0 };
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<number> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  latency(ms: number): void {
    this.delayMs = ms;
  }

  resetAll(): void {
    for (const pair of [...this.pairs]) {
      this.stats.resets++;
      pair.upstream?.destroy();
      pair.client.resetAndDestroy();
      this.pairs.delete(pair);
    }
  }

  blackhole(): void {
    this.mode = 'blackhole';
    for (const pair of this.pairs) this.silence(pair);
  }

  heal(): void {
    this.mode = 'pass';
  }

  /**
   * Goes half-open at an exact moment: when the server has answered the next statement whose text
   * contains `marker` (PostgreSQL sends the SQL text in clear), every connection is blackholed — after
   * that answer reached the client (`deliver`), or with the answer lost (the statement ran, and
   * committed, but the client never hears so).
   */
  blackholeAtAnswer(marker: string, options: { deliver: boolean }): void {
    this.trigger = { marker: Buffer.from(marker), deliver: options.deliver };
  }

  /** Closes the listener and every connection. */
  async close(): Promise<void> {
    for (const pair of this.pairs) {
      pair.upstream?.destroy();
      pair.client.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private silence(pair: Pair): void {
    this.stats.blackholed++;
    pair.upstream?.removeAllListeners('data');
    pair.upstream?.destroy();
    pair.upstream = null;
    pair.client.removeAllListeners('data');
    pair.client.on('data', () => undefined); // read and drop: the client's writes "succeed"
  }

  private accept(client: net.Socket): void {
    this.stats.connections++;
    const pair: Pair = { client, upstream: null };
    this.pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => {
      pair.upstream?.destroy();
      this.pairs.delete(pair);
    });
    if (this.mode === 'blackhole') return this.silence(pair);
    const upstream = net.connect(this.target.port, this.target.host);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      if (pair.upstream === upstream) client.destroy();
    });
    this.pipe(client, upstream, pair);
    this.pipe(upstream, client, pair);
  }

  /** Forwards `from` → `to` with the current latency, in order. */
  private pipe(from: net.Socket, to: net.Socket, pair: Pair): void {
    let last = 0;
    const toServer = to === pair.upstream;
    from.on('data', (chunk: Buffer) => {
      const trigger = this.trigger;
      if (trigger && toServer && chunk.includes(trigger.marker)) pair.armed = true;
      if (trigger && !toServer && pair.armed && chunk.includes(READY_FOR_QUERY)) {
        this.trigger = null;
        if (trigger.deliver && !to.destroyed) to.write(chunk);
        this.blackhole();
        return;
      }
      if (this.delayMs <= 0 && last <= Date.now()) {
        if (!to.destroyed) to.write(chunk);
        return;
      }
      const at = Math.max(last, Date.now() + this.delayMs);
      last = at;
      setTimeout(() => {
        if (pair.upstream !== null && !to.destroyed) to.write(chunk);
      }, at - Date.now());
    });
  }
}
