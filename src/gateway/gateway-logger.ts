/** What the gateway logs through: the shape of pino's `logger.error(fields, message)`, so a pino logger fits. */
export interface GatewayLogger {
  error(fields: Record<string, unknown>, message: string): void;
}

/** One JSON line per entry on stderr, like the rest of the platform logs before pino is wired in. */
export const stderrLogger: GatewayLogger = {
  error(fields, message) {
    process.stderr.write(`${JSON.stringify({ level: 'error', msg: message, ...fields })}\n`);
  },
};

/** An error's detail for the log (never for the wire): message and stack when it has them. */
export function describeError(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { error: error.message, stack: error.stack } : { error: String(error) };
}
