import { describe, expect, it } from 'vitest';
import { auditSummary } from '../../src/worker/audit-summary.js';

describe('audit summaries of step requests and responses', () => {
  it('keeps small values, redacts secret-looking fields at any depth', () => {
    expect(auditSummary({ message: 'hi', n: 1 })).toEqual({ message: 'hi', n: 1 });
    expect(
      auditSummary({
        headers: { Authorization: 'Bearer x', accept: 'json' },
        api_key: 'k',
        nested: [{ password: 'p' }],
      }),
    ).toEqual({
      headers: { Authorization: '[redacted]', accept: 'json' },
      api_key: '[redacted]',
      nested: [{ password: '[redacted]' }],
    });
    expect(auditSummary(undefined)).toBeNull();
  });

  it('cuts large values to a bounded preview', () => {
    const summary = auditSummary({ blob: 'x'.repeat(10_000) }) as {
      truncated: boolean;
      bytes: number;
      preview: string;
    };
    expect(summary.truncated).toBe(true);
    expect(summary.bytes).toBeGreaterThan(10_000);
    expect(summary.preview.length).toBe(2048);
  });
});
