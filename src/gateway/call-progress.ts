import type { JournalEntry, Store } from '../store/store.js';
import type { StepProgress } from './tool-service.js';

/** How often the journal is read besides the change signal (which journal-only commits need not raise). */
const POLL_MS = 100;

/**
 * Progress of one call from the store's journal, so any gateway can report it: on every change signal,
 * and every POLL_MS while the stream is open, the journal is read again and each top-level step that
 * finished since (succeeded or skipped, in journal order, counted once across attempts) is reported as
 * one notification. `stop()` reads once more, so steps journaled with the settlement are reported
 * before the result.
 */
export function watchProgress(
  store: Store,
  callId: string,
  total: number,
  onProgress: (progress: StepProgress) => void,
): { stop(): Promise<void> } {
  const reported = new Set<string>();
  let reading: Promise<void> = Promise.resolve();
  let again = false;
  let busy = false;

  const report = (entries: JournalEntry[]) => {
    for (const entry of entries) {
      if (!countsAsStep(entry) || reported.has(entry.stepPath)) continue;
      reported.add(entry.stepPath);
      onProgress({
        progress: reported.size,
        total: Math.max(total, reported.size),
        message: `step ${entry.stepPath} ${entry.status}`,
      });
    }
  };
  const read = (): Promise<void> => {
    if (busy) {
      again = true;
      return reading;
    }
    busy = true;
    reading = (async () => {
      do {
        again = false;
        try {
          report(await store.listJournal(callId));
        } catch {
          // a store hiccup: the next change signal (or stop) reads again
        }
      } while (again);
      busy = false;
    })();
    return reading;
  };
  const unsubscribe = store.onChange(() => void read());
  const timer = setInterval(() => void read(), POLL_MS);
  void read();
  return {
    async stop() {
      unsubscribe();
      clearInterval(timer);
      await reading;
      await read();
    },
  };
}

/** A finished top-level step; sub-recipe steps (`guest/1`) and compensations are not counted. */
function countsAsStep(entry: JournalEntry): boolean {
  return (
    (entry.status === 'succeeded' || entry.status === 'skipped') &&
    entry.kind !== 'compensate' &&
    !entry.stepPath.includes('/')
  );
}
