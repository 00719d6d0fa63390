import { expect, it } from 'vitest';
import type { StoreHarness } from '../store-contract.js';
import { useHarness } from './fixtures.js';

export function schemaContract(make: () => Promise<StoreHarness>): void {
  const harness = useHarness(make, { migrate: false });

  it('reports every shipped migration as pending before migrate()', async () => {
    const { store } = harness();
    await store.ping();
    const report = await store.checkSchema();
    expect(report.ok).toBe(false);
    expect(report.applied).toEqual([]);
    expect(report.pending.map((m) => m.version)).toContain(1);
  });

  it('migrates idempotently and then reports a current schema', async () => {
    const { store } = harness();
    await store.migrate();
    const first = await store.checkSchema();
    await store.migrate();
    const second = await store.checkSchema();
    expect(first).toMatchObject({ ok: true, pending: [], drift: [] });
    expect(second).toEqual(first);
    expect(first.applied[0]).toMatchObject({ version: 1, name: 'init' });
    expect(first.applied[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports a dropped column as drift', async () => {
    const { store, backdoor } = harness();
    await store.migrate();
    await backdoor.dropColumn('calls', 'meta');
    const report = await store.checkSchema();
    expect(report.ok).toBe(false);
    expect(report.pending).toEqual([]);
    expect(report.drift.join('\n')).toMatch(/calls\.meta/);
  });

  it('reports a column no migration made as drift', async () => {
    const { store, backdoor } = harness();
    await store.migrate();
    await backdoor.addColumn('calls', 'extra');
    const report = await store.checkSchema();
    expect(report.ok).toBe(false);
    expect(report.drift.join('\n')).toMatch(/unexpected column calls\.extra/);
  });

  it('reports a dropped table as drift', async () => {
    const { store, backdoor } = harness();
    await store.migrate();
    await backdoor.dropTable('attempts');
    const report = await store.checkSchema();
    expect(report.ok).toBe(false);
    expect(report.drift.join('\n')).toMatch(/attempts/);
  });

  it('reports an applied migration whose checksum changed', async () => {
    const { store, backdoor } = harness();
    await store.migrate();
    await backdoor.setMigrationChecksum(1, '0'.repeat(64));
    const report = await store.checkSchema();
    expect(report.ok).toBe(false);
    expect(report.drift.join('\n')).toMatch(/migration 1 .*changed/);
  });

  it('closes idempotently', async () => {
    const { store } = harness();
    await store.close();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });
}
