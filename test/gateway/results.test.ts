import { ProtocolError, UnsupportedProtocolVersionError } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { toCallToolResult, toJsonRpcError } from '../../src/gateway/results.js';

describe('toCallToolResult', () => {
  it('a settled success without data still carries data: null and no isError', () => {
    const result = toCallToolResult(
      { kind: 'settled', callId: 'call_1', result: { ok: true, data: undefined as never } },
      't',
    );
    expect(result.structuredContent).toEqual({ success: true, data: null, call_id: 'call_1' });
    expect(result).not.toHaveProperty('isError');
    expect(result.content).toEqual([
      { type: 'text', text: '{"success":true,"data":null,"call_id":"call_1"}' },
    ]);
  });

  it('never leaks error details or statuses into the envelope', () => {
    const result = toCallToolResult(
      {
        kind: 'settled',
        callId: 'call_2',
        result: {
          ok: false,
          error: { code: 'X', message: 'm', retrySafe: false, status: 502, details: { secret: 1 } },
        },
      },
      't',
    );
    expect(result.structuredContent).toEqual({
      success: false,
      error_code: 'X',
      error_message: 'm',
      retry_safe: false,
      call_id: 'call_2',
    });
    expect(result.isError).toBe(true);
  });

  it('an unknown tool is a -32602 protocol error naming the tool', () => {
    expect(() => toCallToolResult({ kind: 'unknown_tool' }, 'ghost')).toThrow(
      expect.objectContaining({ code: -32602, message: 'Unknown tool: ghost' }),
    );
  });
});

describe('toJsonRpcError', () => {
  const logged: string[] = [];
  const logger = { error: (fields: Record<string, unknown>) => logged.push(String(fields.error)) };

  it('passes protocol errors through with their data', () => {
    expect(toJsonRpcError(new ProtocolError(-32602, 'bad'), logger)).toEqual({
      code: -32602,
      message: 'bad',
    });
    const version = toJsonRpcError(
      new UnsupportedProtocolVersionError({ supported: ['2026-07-28'], requested: 'x' }),
      logger,
    );
    expect(version).toMatchObject({ code: -32022, data: { supported: ['2026-07-28'], requested: 'x' } });
    expect(logged).toEqual([]);
  });

  it('hides anything else behind a generic -32603 and logs the detail', () => {
    expect(toJsonRpcError(new TypeError('cannot read x of undefined'), logger)).toEqual({
      code: -32603,
      message: 'Internal error',
    });
    expect(toJsonRpcError('a string', logger)).toEqual({ code: -32603, message: 'Internal error' });
    expect(logged).toEqual(['cannot read x of undefined', 'a string']);
  });
});
