// The load drivers of the benchmarks (`npm run bench`, `npm run bench:compare`): servers started as
// child processes, the same 2026-07-28 `tools/call` of the `echo` tool, autocannon in alternating rounds
// and a sequential driver with sub-millisecond timing. Every server driven gets the same load.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

export const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

const body = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: {
    name: 'echo',
    arguments: { message: 'hello' },
    _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
      'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
    },
  },
});
const headers = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': 'tools/call',
  'mcp-name': 'echo',
};

function start(command, args, env, match) {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const port = match(line);
      if (port) resolve({ child, port });
    });
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited ${code}`)));
  });
}

export async function check(port) {
  const res = await fetch(`http://127.0.0.1:${port}/mcp`, { method: 'POST', headers, body });
  const json = await res.json();
  const text = JSON.stringify(json);
  if (!res.ok || json.error || json.result?.isError)
    throw new Error(`warm-up failed on port ${port}: ${text}`);
  return text;
}

function load(port, connections, seconds) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}/mcp`,
        method: 'POST',
        headers,
        body,
        connections,
        duration: seconds,
        pipelining: 1,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/** Alternating rounds of load on each server; req/s over all rounds, p50/p99 averaged over rounds. */
export async function alternate(ports, connections, { seconds, rounds }) {
  const totals = ports.map(() => ({ requests: 0, seconds: 0, p50: 0, p99: 0, errors: 0 }));
  for (let round = 0; round < rounds; round++) {
    for (const [i, port] of ports.entries()) {
      const r = await load(port, connections, Math.max(1, seconds / rounds));
      const t = totals[i];
      t.requests += r.requests.total;
      t.seconds += r.duration;
      t.p50 += r.latency.p50 / rounds;
      t.p99 += r.latency.p99 / rounds;
      t.errors += r.errors + r.non2xx;
    }
  }
  return totals.map((t) => ({ rps: t.requests / t.seconds, p50: t.p50, p99: t.p99, errors: t.errors }));
}

// autocannon's histogram has whole-millisecond resolution; at concurrency 1 both servers answer in
// about a millisecond, so the p50 comparison there also uses this sequential driver with
// sub-millisecond timing (same body, same headers, one keep-alive connection per server). Blocks of
// 50 calls alternate between the servers, so both see the same machine while each stays warm.
export async function sequential(ports, count) {
  const agents = ports.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const once = (i) =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = http.request(
        { host: '127.0.0.1', port: ports[i], path: '/mcp', method: 'POST', headers, agent: agents[i] },
        (res) => {
          res.resume();
          res.on('end', () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  for (let n = 0; n < Math.min(200, count / 5); n++) for (const i of ports.keys()) await once(i);
  const times = ports.map(() => []);
  for (let n = 0; n < count; n += 50)
    for (const i of ports.keys())
      for (let k = n; k < Math.min(count, n + 50); k++) times[i].push(await once(i));
  for (const agent of agents) agent.destroy();
  return times.map((t) => {
    t.sort((a, b) => a - b);
    return { p50: t[Math.floor(count * 0.5)], p99: t[Math.floor(count * 0.99)] };
  });
}

/**
 * `switchyard serve` from the checkout at `checkout` on a fresh data dir. Resolves once it listens and
 * all its worker processes have started: an idle gateway runs a call itself (eager execution), so a
 * warm-up call alone does not prove the workers up, and load sent before them would time their start-up.
 */
export function startSwitchyard(checkout, { dataDir, workers, env = {} }) {
  let port = null;
  let started = 0;
  return start(
    'node',
    [
      `${checkout}/bin/switchyard.js`,
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--recipes',
      `${root}/bench/recipes`,
      '--workers',
      workers,
    ],
    env,
    (line) => {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return null;
      }
      if (entry.msg === 'switchyard listening') port = Number(new URL(entry.url).port);
      if (entry.msg === 'switchyard worker started') started++;
      return port !== null && started >= Number(workers) ? port : null;
    },
  );
}

/** The bare SDK v2 stateless server (bench/bare-sdk-server.js). */
export function startBareSdk() {
  return start('node', [`${root}/bench/bare-sdk-server.js`], {}, (line) => {
    try {
      return JSON.parse(line).port;
    } catch {
      return null;
    }
  });
}
