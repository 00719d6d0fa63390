import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinConnectors, createConnectorRegistry } from '../../src/connectors/registry.js';
import { loadRecipeFolder } from '../../src/recipes/load-folder.js';
import { repoRoot } from '../helpers/serve-process.js';

// The conformance fixture pack is plain descriptors: it must deploy as `switchyard serve --recipes` does.
describe('conformance/fixtures', () => {
  it('validates as one folder and declares what the suite calls for', async () => {
    const registry = createConnectorRegistry(builtinConnectors());
    const set = await loadRecipeFolder(path.join(repoRoot, 'conformance', 'fixtures'), registry);
    expect(set.errors).toEqual([]);
    const tools = set.recipes.map((r) => r.recipe.tool);
    for (const name of [
      'test_simple_text',
      'test_tool_with_progress',
      'greet',
      'slow_compute',
      'failing_job',
      'json_schema_2020_12_tool',
      'test_param_headers',
    ])
      expect(tools).toContain(name);
    expect(set.descriptors?.map((d) => d.key)).toContain('resource_template:test://template/{id}/data');
  });
});
