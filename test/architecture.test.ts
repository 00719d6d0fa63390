import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Guards the one-way dependencies of docs/architecture.md by scanning relative imports in src/.
const srcDir = path.resolve(import.meta.dirname, '..', 'src');
const sandboxDir = path.resolve(import.meta.dirname, '..', 'sandbox');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

const imports = files(srcDir).map((file) => {
  const text = readFileSync(file, 'utf8');
  const targets = [...text.matchAll(/from '(\.[^']+)'/g)].map((m) =>
    path.relative(srcDir, path.resolve(path.dirname(file), m[1] as string)).replace(/\.js$/, ''),
  );
  return { file: path.relative(srcDir, file), targets };
});

function part(rel: string): string {
  return rel.includes(path.sep) ? (rel.split(path.sep)[0] as string) : rel.replace(/\.ts$/, '');
}

describe('architecture', () => {
  it('the platform and the sandbox (the emulated Dewy Resort systems) never import each other', () => {
    const platformToSandbox = imports.filter((i) => i.targets.some((t) => t.startsWith('..')));
    const sandboxImports = files(sandboxDir).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)]
        .map((m) => path.resolve(path.dirname(file), m[1] as string))
        .filter((target) => !target.startsWith(sandboxDir + path.sep))
        .map((target) => `${path.relative(sandboxDir, file)} → ${target}`),
    );
    expect(platformToSandbox.map((i) => i.file)).toEqual([]);
    expect(sandboxImports).toEqual([]);
  });

  it('core imports nothing outside core', () => {
    const bad = imports
      .filter((i) => part(i.file) === 'core')
      .flatMap((i) => i.targets.filter((t) => part(t) !== 'core').map((t) => `${i.file} → ${t}`));
    expect(bad).toEqual([]);
  });

  it('the gateway never imports connectors or the worker runtime', () => {
    const bad = imports
      .filter((i) => part(i.file) === 'gateway')
      .flatMap((i) =>
        i.targets
          .filter((t) => part(t) === 'connectors' || part(t) === 'worker')
          .map((t) => `${i.file} → ${t}`),
      );
    expect(bad).toEqual([]);
  });

  it('only platform.ts and cli/ name a concrete store backend', () => {
    const bad = imports
      .filter((i) => !['platform', 'cli', 'store'].includes(part(i.file)))
      .flatMap((i) =>
        i.targets.filter((t) => /store[\\/](sqlite|postgres)/.test(t)).map((t) => `${i.file} → ${t}`),
      );
    expect(bad).toEqual([]);
  });

  it('store, recipes and connectors do not depend on worker, gateway, cli or platform', () => {
    const lower = ['store', 'recipes', 'connectors', 'config'];
    const upper = ['worker', 'gateway', 'cli', 'platform', 'supervisor'];
    const bad = imports
      .filter((i) => lower.includes(part(i.file)))
      .flatMap((i) => i.targets.filter((t) => upper.includes(part(t))).map((t) => `${i.file} → ${t}`));
    expect(bad).toEqual([]);
  });
});
