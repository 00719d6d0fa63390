import type { Behaviour } from './behaviour.js';

/** What every emulator's `start…Emulator` takes. */
export interface EmulatorOptions {
  /** 0 for an ephemeral port. */
  port: number;
  /** The SQLite file holding this system's records (':memory:' for throwaway runs). */
  stateFile: string;
  behaviour: Behaviour;
  /** Insert the Dewy Resort seed records when the state is new (default true). */
  seed?: boolean;
}
