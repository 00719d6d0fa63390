/**
 * Crash isolation: who is blamed when a worker process dies. Every call it was running loses its lease
 * and has a crash counted, the one that brought the process down and its neighbours alike. So a call
 * whose crashes reach the limit is not dead-lettered on the word of crashes it may only have witnessed:
 * it is run alone first (ClaimInput.isolation), claimed by a worker that runs nothing else and takes
 * nothing else until the call ends. A crash of that isolated attempt is its own, and dead-letters it;
 * a neighbour that merely shared a process with a poison call runs alone once and succeeds. Both
 * backends implement these rules (PostgreSQL in its claim and reclaim statements).
 */

/** The crash-count ceiling used when a claimer asks for no isolation: nothing is held back. */
export const NO_ISOLATION = 2_147_483_647;

/** Whether the crash just counted (the call's `crashes`-th) dead-letters the call. */
export function crashDeadLetters(crashes: number, maxCrashes: number, isolated: boolean): boolean {
  // The backstop bounds a call that keeps crashing among others because its claimers do not isolate.
  return crashes > maxCrashes && (isolated || crashes > 2 * maxCrashes + 1);
}
