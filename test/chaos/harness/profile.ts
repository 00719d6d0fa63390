import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The chaos profile: `quick` (default, inside `npm test`: seconds per scenario) or `soak`
 * (CHAOS_PROFILE=soak, run by scripts/chaos-soak.js: longer, heavier). CHAOS_SEED fixes the random
 * choices of a run (which worker dies when, which calls carry faults); a failing run prints its seed.
 */
export type ProfileName = 'quick' | 'soak';

export interface Profile {
  name: ProfileName;
  seed: number;
  /** Scales load: calls per scenario = base × load. */
  load: number;
  /** Scales fault rounds (kills, resets, restarts). */
  rounds: number;
  /** The sustained-load scenario's duration. */
  sustainMs: number;
}

export function chaosProfile(): Profile {
  const name: ProfileName = process.env.CHAOS_PROFILE === 'soak' ? 'soak' : 'quick';
  const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : (Date.now() % 1_000_000) + 1;
  return name === 'soak'
    ? { name, seed, load: 3, rounds: 2, sustainMs: Number(process.env.CHAOS_SUSTAIN_MS ?? 30_000) }
    : { name, seed, load: 1, rounds: 1, sustainMs: 6_000 };
}

/** A small seeded PRNG (mulberry32): the same seed makes the same choices. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Saves a scenario's figures as JSON in CHAOS_REPORT_DIR (set by scripts/chaos-soak.js), one file per
 * scenario and backend; a no-op otherwise.
 */
export function saveFigures(scenario: string, figures: object): void {
  const dir = process.env.CHAOS_REPORT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${scenario.replace(/[^a-z0-9]+/gi, '-')}.json`);
  writeFileSync(file, JSON.stringify({ scenario, ...figures }, null, 2));
}
