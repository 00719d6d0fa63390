import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A reply that turns into a `text/event-stream` at its first notification (Streamable HTTP's SSE
 * response): notifications go out as they come, the JSON-RPC response is the last event, then the
 * stream ends. A request that sends no notification is answered with plain JSON as before.
 */
export interface LazySse {
  readonly started: boolean;
  notify(message: object): void;
  /** Writes the response as the last event and ends the stream (only once started). */
  end(body: string | null): void;
}

/** Whether the client takes an SSE response (Streamable HTTP clients send both types in Accept). */
export function acceptsEventStream(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/event-stream');
}

export function lazySse(res: ServerResponse): LazySse {
  let started = false;
  const event = (data: string) => res.write(`event: message\ndata: ${data}\n\n`);
  return {
    get started() {
      return started;
    },
    notify(message) {
      if (res.destroyed || res.writableEnded) return;
      if (!started) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        started = true;
      }
      event(JSON.stringify(message));
    },
    end(body) {
      if (res.destroyed || res.writableEnded) return;
      if (body !== null) event(body);
      res.end();
    },
  };
}
