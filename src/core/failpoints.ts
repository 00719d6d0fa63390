import { writeSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Failpoints: named places in the platform where the chaos suite (test/chaos/) makes a process crash,
 * stall or throw, set by one environment variable read once when this module loads:
 *
 *   SWITCHYARD_FAILPOINTS="after-action-before-journal=crash; after-claim-before-first-step/slow_tool=stall:3000@0.5#2"
 *
 * Each entry is `point[/tag]=action[@probability][#times]`:
 * - `point`: one of FAILPOINTS below; `/tag` limits it to call sites passing that tag (the tool name);
 * - `action`: `crash` (SIGKILL of this process: no handler, no drain, nothing flushed), `throw` (an
 *   Error at the call site), or `stall:MS` (blocks the event loop MS milliseconds: timers, heartbeats
 *   and I/O all wait, as under a long GC pause or a starved CPU);
 * - `@probability` (default 1) and `#times` (default unlimited, counted per process).
 *
 * Two process-wide test knobs share the variable:
 * - `clock-skew=±MS` shifts this process's `Date.now()` (SQLite lease times come from each process's
 *   clock; PostgreSQL's from the database's);
 * - `stats=MS` prints a `chaos stats` JSON line (rss, heap, event-loop delay) every MS milliseconds.
 *
 * Unset (production), `failpoint()` is one comparison against null: nothing is parsed, nothing runs.
 * Each firing prints one JSON line (`{"msg":"failpoint",…}`) on stdout before it acts, so a harness can
 * count the faults it injected.
 */
export const FAILPOINTS = [
  /** A worker claimed the call (lease taken, attempt recorded) and has not started its first step. */
  'after-claim-before-first-step',
  /** A connector action returned its result; the step's end is not journaled yet. */
  'after-action-before-journal',
  /** Every step is done and journaled (or queued write-behind); the settlement is not written yet. */
  'after-journal-before-settle',
  /** The gateway committed the call (or found it by key); it has not answered the client yet. */
  'after-enqueue-before-answer',
] as const;

export type FailpointName = (typeof FAILPOINTS)[number];

type Action = { kind: 'crash' } | { kind: 'throw' } | { kind: 'stall'; ms: number };

interface Rule {
  point: FailpointName;
  tag: string | null;
  action: Action;
  probability: number;
  remaining: number;
}

export class FailpointError extends Error {
  constructor(point: string) {
    super(`failpoint ${point} fired`);
    this.name = 'FailpointError';
  }
}

/** Parses the variable's value; throws on a malformed entry (a typo must not silently disable a test). */
export function parseFailpoints(spec: string): {
  rules: Rule[];
  clockSkewMs: number;
  statsEveryMs: number | null;
} {
  const rules: Rule[] = [];
  let clockSkewMs = 0;
  let statsEveryMs: number | null = null;
  for (const raw of spec.split(/[;,]/)) {
    const entry = raw.trim();
    if (entry === '') continue;
    const m = /^([a-z-]+)(?:\/([^=]+))?=([a-z]+)(?::(\d+))?(?:@([\d.]+))?(?:#(\d+))?$/.exec(entry);
    const skew = /^clock-skew=([+-]?\d+)$/.exec(entry);
    const stats = /^stats=(\d+)$/.exec(entry);
    if (skew) clockSkewMs = Number(skew[1]);
    else if (stats) statsEveryMs = Math.max(10, Number(stats[1]));
    else if (m && (FAILPOINTS as readonly string[]).includes(m[1]!)) {
      const [, point, tag, kind, arg, probability, times] = m;
      let action: Action;
      if (kind === 'crash' || kind === 'throw') action = { kind };
      else if (kind === 'stall' && arg !== undefined) action = { kind, ms: Math.abs(Number(arg)) };
      else throw new Error(`SWITCHYARD_FAILPOINTS: unknown action in "${entry}"`);
      rules.push({
        point: point as FailpointName,
        tag: tag ?? null,
        action,
        probability: probability === undefined ? 1 : Number(probability),
        remaining: times === undefined ? Infinity : Number(times),
      });
    } else throw new Error(`SWITCHYARD_FAILPOINTS: cannot read "${entry}"`);
  }
  return { rules, clockSkewMs, statsEveryMs };
}

const SPEC = process.env.SWITCHYARD_FAILPOINTS?.trim() || null;
const parsed = SPEC === null ? null : parseFailpoints(SPEC);
const rules: Rule[] | null = parsed && parsed.rules.length > 0 ? parsed.rules : null;

if (parsed && parsed.clockSkewMs !== 0) {
  const realNow = Date.now.bind(Date);
  const skew = parsed.clockSkewMs;
  Date.now = () => realNow() + skew;
}
if (parsed?.statsEveryMs) startStats(parsed.statsEveryMs);

/** Marks a named point; fires the configured action there. A no-op unless SWITCHYARD_FAILPOINTS is set. */
export function failpoint(point: FailpointName, tag?: string): void {
  if (rules === null) return;
  for (const rule of rules) {
    if (rule.point !== point || rule.remaining <= 0) continue;
    if (rule.tag !== null && rule.tag !== tag) continue;
    if (rule.probability < 1 && Math.random() >= rule.probability) continue;
    rule.remaining--;
    say({ msg: 'failpoint', point, tag: tag ?? null, action: rule.action.kind, pid: process.pid });
    fire(point, rule.action);
  }
}

function fire(point: string, action: Action): void {
  switch (action.kind) {
    case 'crash':
      process.kill(process.pid, 'SIGKILL');
      // SIGKILL to oneself is delivered before the call returns to JavaScript; never go on regardless.
      for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    case 'throw':
      throw new FailpointError(point);
    case 'stall':
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, action.ms);
      return;
  }
}

function say(line: object): void {
  try {
    writeSync(1, `${JSON.stringify(line)}\n`);
  } catch {
    // stdout closed: nothing to tell
  }
}

function startStats(everyMs: number): void {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const timer = setInterval(() => {
    const memory = process.memoryUsage();
    say({
      msg: 'chaos stats',
      pid: process.pid,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      loopDelayP99Ms: delay.percentile(99) / 1e6,
      loopDelayMaxMs: delay.max / 1e6,
    });
    delay.reset();
  }, everyMs);
  timer.unref();
}
