import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const configFile = (yaml: string) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-config-'));
  dirs.push(dir);
  const file = path.join(dir, 'switchyard.yaml');
  writeFileSync(file, yaml);
  return file;
};

describe('workers.eager', () => {
  it('is on by default', () => {
    expect(loadConfig({}, {}).workers.eager).toBe(true);
  });

  it('is turned off in switchyard.yaml or by SWITCHYARD_WORKERS_EAGER', () => {
    expect(loadConfig({ config: configFile('workers:\n  eager: false\n') }, {}).workers.eager).toBe(false);
    expect(loadConfig({}, { SWITCHYARD_WORKERS_EAGER: 'false' }).workers.eager).toBe(false);
  });

  it('takes true or false only, with a clear message', () => {
    expect(() => loadConfig({ config: configFile('workers:\n  eager: sometimes\n') }, {})).toThrow(
      'workers.eager: expected true or false',
    );
  });
});

describe('workers.nice', () => {
  it('puts worker processes 10 below the gateway by default', () => {
    expect(loadConfig({}, {}).workers.nice).toBe(10);
  });

  it("is set in switchyard.yaml or by SWITCHYARD_WORKERS_NICE; 0 keeps the gateway's priority", () => {
    expect(loadConfig({ config: configFile('workers:\n  nice: 0\n') }, {}).workers.nice).toBe(0);
    expect(loadConfig({}, { SWITCHYARD_WORKERS_NICE: '5' }).workers.nice).toBe(5);
  });

  it('takes 0 to 19 only, with a clear message', () => {
    expect(() => loadConfig({}, { SWITCHYARD_WORKERS_NICE: '20' })).toThrow(
      'workers.nice must be from 0 to 19',
    );
    expect(() => loadConfig({}, { SWITCHYARD_WORKERS_NICE: '-1' })).toThrow(
      'workers.nice: expected a whole number',
    );
  });
});
