/**
 * The step ids an expression reads as `steps.<id>` (or `$steps.<id>`), found in its parsed JSONata
 * tree so that string literals and comments do not count. Best effort: `steps[...]` with a computed
 * name, `$lookup(steps, ...)` and the like are not seen.
 *
 * A bare `steps.x` inside a filter, a later path step or a grouping reads the current item, not the
 * scope, so only the path's head counts there; `$steps` is a variable and counts everywhere.
 */
export function stepReferences(ast: unknown): string[] {
  const found = new Set<string>();
  walk(ast, true, found);
  return [...found];
}

/** Tree keys whose sub-expressions are evaluated against something other than the scope. */
const RELATIVE_KEYS = new Set(['stages', 'predicate', 'group']);

function walk(node: unknown, rooted: boolean, found: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, rooted, found);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (record.type === 'path' && Array.isArray(record.steps)) {
    const [head, next] = record.steps as Array<Record<string, unknown> | undefined>;
    const headIsSteps =
      head?.value === 'steps' && (head.type === 'variable' || (head.type === 'name' && rooted));
    if (headIsSteps && next?.type === 'name' && typeof next.value === 'string') found.add(next.value);
    record.steps.forEach((step, index) => walk(step, rooted && index === 0, found));
    return;
  }
  for (const [key, child] of Object.entries(record)) walk(child, rooted && !RELATIVE_KEYS.has(key), found);
}
