import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/serve-process.js';
import { mcpClient } from '../e2e/reliability-helpers.js';

// `npm start` runs `switchyard demo`: the emulators, the Dewy Resort recipes and the role servers, on
// a data dir of its own, until interrupted.
describe('switchyard demo', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-demo-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts the world, serves /mcp/guest and /mcp/manager, and stops everything on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'bin', 'switchyard.js'), 'demo', '--port', '0', '--data-dir', dataDir],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const guestUrl = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        output += `${line}\n`;
        const match = /guest tools:\s+(\S+)/.exec(line);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`demo exited ${code}: ${output}`)));
    });
    const client = await mcpClient(guestUrl);
    const guestTools = (await client.listTools()).tools.map((t) => t.name).sort();
    await client.close();
    const manager = await mcpClient(guestUrl.replace(/guest$/, 'manager'));
    const managerTools = (await manager.listTools()).tools.map((t) => t.name).sort();
    await manager.close();
    expect(guestTools).toEqual([
      'check_in_guest',
      'checkout_guest',
      'manage_booking',
      'search_cases_on_behalf_of_guest',
      'search_rooms_on_behalf_of_guest',
      'submit_guest_service_request',
    ]);
    expect(managerTools).toEqual([
      'check_in_guest',
      'checkout_guest',
      'compensate_checkout_failure',
      'create_booking',
      'manage_booking',
      'manage_cases',
      'search_cases_on_behalf_of_staff',
      'search_rooms_on_behalf_of_staff',
      'submit_maintenance_request',
      'upsert_contact_by_email',
    ]);

    // The emulators' credentials went into the vault, not into the configuration or the output.
    const credentials = JSON.parse(
      readFileSync(path.join(dataDir, 'sandbox', 'credentials.json'), 'utf8'),
    ) as Record<string, Record<string, string>>;
    const secrets = Object.values(credentials).flatMap((c) => Object.values(c));
    const config = readFileSync(path.join(dataDir, 'switchyard.yaml'), 'utf8');
    for (const secret of secrets) {
      expect(config).not.toContain(secret);
      expect(output).not.toContain(secret);
    }
    expect(existsSync(path.join(dataDir, 'master.key'))).toBe(true);

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
