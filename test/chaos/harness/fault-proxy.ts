import net from 'node:net';

export type ProxyMode = 'pass' | 'blackhole';

interface Pair {
  client: net.Socket;
  upstream: net.Socket | null;
}

/**
 * A TCP fault proxy on 127.0.0.1 between Switchyard and PostgreSQL, switchable at run time:
 * - `latency(ms)`: every chunk, both ways, is delayed (order kept);
 * - `resetAll()`: every open connection is reset (RST to the client), as a server crash or a failover does;
 * - `blackhole()`: half-open: the upstream side of every connection is dropped while the client side
 *   stays open and silent, and new connections are accepted but never forwarded (pg-boss's
 *   halfOpenProxy design) — the client sees a socket that never answers; `heal()` forwards new
 *   connections again (blackholed ones stay dead, as they would after a real partition).
 */
export class FaultProxy {
  private readonly pairs = new Set<Pair>();
  private server: net.Server | null = null;
  private mode: ProxyMode = 'pass';
  private delayMs = 0;
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
    from.on('data', (chunk: Buffer) => {
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
