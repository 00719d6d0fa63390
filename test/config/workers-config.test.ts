import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';

describe('workers.eager', () => {
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
