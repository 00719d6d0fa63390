import { isDeepStrictEqual } from 'node:util';
import { DEFAULT_LIMITS } from '../config/config.js';
import { newCallId, sha256 } from '../core/ids.js';
import { canonicalJson } from '../core/json.js';
import { JsonSchemaValidator } from '../core/json-schema.js';
import type { ConnectorRegistry } from '../connectors/registry.js';
import { deployFolder } from '../recipes/deploy-folder.js';
import { createReleaseCatalog } from '../recipes/release-catalog.js';
import { createTemplateEvaluator } from '../recipes/template-evaluator.js';
import type { Settlement, Store } from '../store/store.js';
import { runCall } from '../worker/run-call.js';
import { replayRegistry } from './replay-connectors.js';
import type { RecipeTestCase, RecipeTestFile } from './test-file.js';

export interface CaseResult {
  file: string;
  tool: string;
  name: string;
  ok: boolean;
  /** Why it failed (empty when ok). */
  problems: string[];
}

/**
 * Runs recipe test cases through the real call path (an empty store, the folder deployed as a release,
 * each case enqueued, claimed and run by the worker's own `runCall`, journaled and settled), with the
 * connectors replaying the recorded responses.
 */
export async function runRecipeTests(options: {
  store: Store;
  connectors: ConnectorRegistry;
  recipesDir: string;
  files: RecipeTestFile[];
}): Promise<CaseResult[]> {
  const { store, connectors } = options;
  await store.migrate();
  const { release } = await deployFolder(store, connectors, options.recipesDir, 'default');
  const catalog = createReleaseCatalog(store, connectors);
  const evaluator = createTemplateEvaluator({ timeoutMs: 1000, maxDepth: 200 });
  const validator = new JsonSchemaValidator();
  const results: CaseResult[] = [];
  for (const file of options.files) {
    for (const testCase of file.cases) {
      const base = { file: file.file, tool: file.tool, name: testCase.name };
      if (!(await catalog.recipes(release.id)).has(file.tool)) {
        results.push({ ...base, ok: false, problems: [`no recipe has the tool name ${file.tool}`] });
        continue;
      }
      const replay = replayRegistry(connectors, testCase.steps);
      const settlement = await runCase(testCase, file.tool, release.id, {
        store,
        connectors: replay,
        connection: async (name) => ({ name, connector: '', config: {}, secrets: {} }),
        recipes: { recipe: async (releaseId, tool) => (await catalog.recipes(releaseId)).get(tool) ?? null },
        evaluator,
        validator,
        env: testCase.env,
        backoff: { ...DEFAULT_LIMITS.backoff, initialMs: 1, maxMs: 5 },
        workerId: 'recipe-test',
      });
      const problems = compare(testCase, settlement, replay.ran, replay.unused());
      results.push({ ...base, ok: problems.length === 0, problems });
    }
  }
  return results;
}

async function runCase(
  testCase: RecipeTestCase,
  tool: string,
  releaseId: string,
  deps: Parameters<typeof runCall>[0],
): Promise<Settlement | null> {
  const outcome = await deps.store.enqueue({
    id: newCallId(),
    workspace: 'default',
    tool,
    releaseId,
    args: testCase.input,
    argsHash: sha256(canonicalJson(testCase.input)),
    idempotencyKey: null,
    idempotencySource: null,
    keyTtlMs: 60_000,
    maxAttempts: 1,
    deadlineAt: null,
    claimFor: { workerId: deps.workerId, leaseMs: 600_000 },
  });
  if (outcome.kind !== 'created' || outcome.token === null) throw new Error('the test call was not created');
  return runCall(deps, { call: outcome.call, token: outcome.token }, new AbortController().signal);
}

function compare(
  testCase: RecipeTestCase,
  settlement: Settlement | null,
  ran: string[],
  unused: string[],
): string[] {
  const problems: string[] = [];
  const { expect } = testCase;
  if (!settlement) return ['the call did not settle'];
  if (expect.data !== undefined) {
    if (settlement.status !== 'succeeded')
      problems.push(
        `expected data, but the call ended ${settlement.status}: ${'error' in settlement ? `${settlement.error.code}: ${settlement.error.message}` : ''}`,
      );
    else if (!isDeepStrictEqual(settlement.data, expect.data))
      problems.push(
        `data differs:\n    expected ${JSON.stringify(expect.data)}\n    got      ${JSON.stringify(settlement.data)}`,
      );
  }
  if (expect.error) {
    if (settlement.status === 'succeeded')
      problems.push(`expected error ${expect.error.code}, but the call succeeded`);
    else {
      const error = settlement.error;
      if (error.code !== expect.error.code)
        problems.push(`expected error ${expect.error.code}, got ${error.code}: ${error.message}`);
      if (expect.error.retry_safe !== undefined && error.retrySafe !== expect.error.retry_safe)
        problems.push(`expected retry_safe ${expect.error.retry_safe}, got ${error.retrySafe}`);
      if (expect.error.message !== undefined && !error.message.includes(expect.error.message))
        problems.push(`expected the message to contain "${expect.error.message}", got "${error.message}"`);
    }
  }
  if (expect.ran && !isDeepStrictEqual(ran, expect.ran))
    problems.push(`steps ran: ${JSON.stringify(ran)}, expected ${JSON.stringify(expect.ran)}`);
  if (unused.length > 0)
    problems.push(`recorded responses never used (the recipe took another path?): ${unused.join(', ')}`);
  return problems;
}
