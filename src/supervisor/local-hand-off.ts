import type { HandOff } from '../gateway/hand-off.js';
import type { Worker } from '../worker/worker.js';

/** The hand-off to a worker in the gateway's own process (`serve --workers 0`). */
export function localHandOff(worker: Worker, leaseMs: number): HandOff {
  let reserved = 0;
  return {
    reserve() {
      if (worker.room - reserved <= 0) return null;
      reserved++;
      let open = true;
      const close = () => {
        if (open) reserved--;
        open = false;
      };
      return {
        workerId: worker.id,
        leaseMs,
        give(claimed) {
          close();
          worker.adopt(claimed);
        },
        cancel: close,
      };
    },
  };
}
