import { expect, it } from 'vitest';
import type { NewConnection } from '../../../src/store/store.js';
import type { StoreHarness } from '../store-contract.js';
import { expectNear, WORKSPACE } from './fixtures.js';

function connection(overrides: Partial<NewConnection> & { version?: string } = {}): NewConnection {
  const { version = 'v1', ...rest } = overrides;
  return {
    workspace: WORKSPACE,
    name: 'crm',
    id: 'conn_1',
    connector: 'http',
    config: { base_url: 'https://crm.example' },
    secretNames: ['token'],
    seal: (id) => `sealed:${id}:${version}`,
    ...rest,
  };
}

const refresh = (owner: string, version = 0, leaseMs = 30_000) => ({
  connectionId: 'conn_1',
  workspace: WORKSPACE,
  version,
  owner,
  leaseMs,
});

/** Connections and OAuth2 tokens: rows of sealed values, never secrets. */
export function vaultContract(harness: () => StoreHarness): void {
  it('creates, replaces under the same id, lists by name and deletes connections', async () => {
    const { store } = harness();
    const before = Date.now();
    const created = await store.putConnection(connection());
    expect(created).toMatchObject({
      workspace: WORKSPACE,
      name: 'crm',
      id: 'conn_1',
      connector: 'http',
      config: { base_url: 'https://crm.example' },
      secretNames: ['token'],
      sealed: 'sealed:conn_1:v1',
    });
    expectNear(created.createdAt, before);
    // A replaced connection keeps its id, and its secrets are sealed for that id.
    const replaced = await store.putConnection(
      connection({ id: 'conn_2', config: { base_url: 'https://new.example' }, version: 'v2' }),
    );
    expect(replaced).toMatchObject({
      id: 'conn_1',
      sealed: 'sealed:conn_1:v2',
      createdAt: created.createdAt,
    });
    expect(replaced.config).toEqual({ base_url: 'https://new.example' });
    expect(replaced.updatedAt).toBeGreaterThanOrEqual(created.updatedAt);
    expect(await store.getConnection(WORKSPACE, 'crm')).toEqual(replaced);

    await store.putConnection(connection({ name: 'billing', id: 'conn_3' }));
    await store.putConnection(connection({ workspace: 'ws_other', name: 'crm', id: 'conn_4' }));
    expect((await store.listConnections(WORKSPACE)).map((c) => c.name)).toEqual(['billing', 'crm']);
    expect(await store.getConnection('ws_other', 'billing')).toBeNull();

    expect(await store.deleteConnection(WORKSPACE, 'crm')).toBe(true);
    expect(await store.deleteConnection(WORKSPACE, 'crm')).toBe(false);
    expect(await store.getConnection(WORKSPACE, 'crm')).toBeNull();
    expect((await store.getConnection('ws_other', 'crm'))?.id).toBe('conn_4');
  });

  it('leases a token refresh to exactly one of many concurrent callers', async () => {
    const { store, openPeer } = harness();
    const peer = await openPeer();
    await store.putConnection(connection());
    const owners = Array.from({ length: 8 }, (_, i) => `w${i}`);
    const taken = await Promise.all(
      owners.map((owner, i) => (i % 2 ? peer : store).beginTokenRefresh(refresh(owner))),
    );
    expect(taken.filter(Boolean)).toHaveLength(1);
    const winner = owners[taken.indexOf(true)] as string;
    const loser = owners.find((o) => o !== winner) as string;
    expect(await store.getToken('conn_1')).toMatchObject({ version: 0, sealed: null, refreshOwner: winner });

    expect(await store.saveToken({ connectionId: 'conn_1', owner: loser, sealed: 'tok', expiresAt: 1 })).toBe(
      false,
    );
    const expiresAt = Date.now() + 3_600_000;
    expect(await store.saveToken({ connectionId: 'conn_1', owner: winner, sealed: 'tok:1', expiresAt })).toBe(
      true,
    );
    expect(await store.getToken('conn_1')).toEqual({
      connectionId: 'conn_1',
      sealed: 'tok:1',
      expiresAt,
      version: 1,
      refreshOwner: null,
      refreshUntil: null,
    });
    // A caller that read the token before that refresh is too late; one that read the new one may refresh.
    expect(await store.beginTokenRefresh(refresh('late', 0))).toBe(false);
    expect(await store.beginTokenRefresh(refresh('next', 1))).toBe(true);
    await store.abandonTokenRefresh('conn_1', 'next');
    expect(await store.getToken('conn_1')).toMatchObject({ version: 1, sealed: 'tok:1', refreshOwner: null });
    // An expired lease may be taken over.
    expect(await store.beginTokenRefresh(refresh('brief', 1, 0))).toBe(true);
    expect(await store.beginTokenRefresh(refresh('heir', 1))).toBe(true);
    expect((await store.getToken('conn_1'))?.refreshOwner).toBe('heir');
  });

  it('forgets the token when the secrets change or the connection goes', async () => {
    const { store } = harness();
    expect(await store.getToken('conn_1')).toBeNull();
    await store.putConnection(connection());
    await store.beginTokenRefresh(refresh('w'));
    await store.saveToken({ connectionId: 'conn_1', owner: 'w', sealed: 'tok', expiresAt: Date.now() });
    expect(await store.getToken('conn_1')).not.toBeNull();
    await store.putConnection(connection({ version: 'v2' }));
    expect(await store.getToken('conn_1')).toBeNull();
    await store.beginTokenRefresh(refresh('w'));
    await store.deleteConnection(WORKSPACE, 'crm');
    expect(await store.getToken('conn_1')).toBeNull();
  });

  it('lists every sealed value and reseals only the ones still as they were read', async () => {
    const { store } = harness();
    await store.putConnection(connection());
    await store.putConnection(connection({ name: 'billing', id: 'conn_2' }));
    await store.beginTokenRefresh(refresh('w'));
    expect(await store.listSealed()).toHaveLength(2);
    await store.saveToken({ connectionId: 'conn_1', owner: 'w', sealed: 'tok', expiresAt: Date.now() });
    const sealed = await store.listSealed();
    const key = (v: { kind: string; connectionId: string }) => `${v.kind}:${v.connectionId}`;
    expect(sealed.map(key).sort()).toEqual(['connection:conn_1', 'connection:conn_2', 'token:conn_1']);
    expect(sealed.find((v) => v.kind === 'token')).toEqual({
      kind: 'token',
      workspace: WORKSPACE,
      connectionId: 'conn_1',
      sealed: 'tok',
    });
    // conn_2 changes after the read: its re-sealed value must not overwrite the newer one.
    await store.putConnection(connection({ name: 'billing', id: 'conn_2', version: 'v9' }));
    const changed = await store.reseal(sealed.map((value) => ({ value, next: `${value.sealed}+new` })));
    expect(changed).toBe(2);
    expect((await store.listSealed()).map((v) => v.sealed).sort()).toEqual([
      'sealed:conn_1:v1+new',
      'sealed:conn_2:v9',
      'tok+new',
    ]);
    expect(await store.reseal([])).toBe(0);
  });
}
