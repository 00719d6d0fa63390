import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/load-config.js';
import { QUEUE_DEPTH_SQL } from '../../src/store/queue-depth.js';
import { repoRoot } from '../helpers/serve-process.js';

const k8s = path.join(repoRoot, 'deploy', 'k8s');
/** The worker pool settings a bare configuration resolves to (what the manifests assume). */
const DEFAULT_CONFIG_WORKERS = loadConfig({}, {}).workers;

function documents(file: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(path.join(k8s, file), 'utf8')).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJSON() as Record<string, unknown>;
  });
}

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('deploy/k8s manifests', () => {
  it('KEDA scales the workers on the same depth query the supervisor reads, at concurrency × utilization', () => {
    const [scaled, auth] = documents('keda-scaledobject.yaml') as Any[];
    expect(scaled!.kind).toBe('ScaledObject');
    expect(scaled!.spec.scaleTargetRef.name).toBe('switchyard-worker');
    const trigger = scaled!.spec.triggers[0];
    expect(trigger.type).toBe('postgresql');
    expect(trigger.metadata.query).toBe(QUEUE_DEPTH_SQL);
    const target = Math.floor(DEFAULT_CONFIG_WORKERS.concurrency * DEFAULT_CONFIG_WORKERS.utilization);
    expect(Number(trigger.metadata.targetQueryValue)).toBe(target);
    expect(auth!.kind).toBe('TriggerAuthentication');
    expect(trigger.authenticationRef.name).toBe(auth!.metadata.name);
  });

  it('gateways and workers run the roles the CLI has, against the database from a Secret', () => {
    const [gateway, service] = documents('gateway.yaml') as Any[];
    const [worker] = documents('worker.yaml') as Any[];
    const gatewayContainer = gateway!.spec.template.spec.containers[0];
    const workerContainer = worker!.spec.template.spec.containers[0];
    expect(gatewayContainer.args[0]).toBe('gateway');
    expect(workerContainer.args[0]).toBe('worker');
    for (const c of [gatewayContainer, workerContainer]) {
      const names = c.env.map((e: Any) => e.name);
      expect(names).toContain('SWITCHYARD_DATABASE_URL');
      expect(names).toContain('SWITCHYARD_MASTER_KEY');
      expect(c.env.find((e: Any) => e.name === 'SWITCHYARD_MASTER_KEY').valueFrom.secretKeyRef).toBeDefined();
    }
    expect(gatewayContainer.readinessProbe.httpGet.path).toBe('/readyz');
    expect(gatewayContainer.livenessProbe.httpGet.path).toBe('/healthz');
    expect(service!.spec.selector).toEqual(gateway!.spec.selector.matchLabels);
    // The drain (limits.drain, 15 s by default) fits in the grace period.
    expect(worker!.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(15);
  });
});
