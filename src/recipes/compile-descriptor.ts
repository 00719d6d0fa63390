import type { JsonValue } from '../core/json.js';
import { CompileContext } from './compile-context.js';
import type { Descriptor, DescriptorDocument } from './descriptor.js';
import type { ParsedRecipeFile } from './parse.js';
import type { RecipeError } from './recipe.js';

export interface DescriptorCompileResult {
  descriptor: Descriptor | null;
  errors: RecipeError[];
}

const VARIABLE = /\{(\+?)([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * The checks the descriptor schema cannot make: templates parse (they read no steps), a template's
 * variables are distinct, and a prompt's messages read only declared arguments is left to run time
 * (an undeclared one is `null`). Cross-file checks (a template's `recipe` exists) belong to the set.
 */
export function compileDescriptor(
  parsed: ParsedRecipeFile,
  doc: DescriptorDocument,
): DescriptorCompileResult {
  const ctx = new CompileContext(parsed.file, parsed.lineOf, new Set());
  const template = (value: JsonValue | undefined, key: string) =>
    value === undefined ? null : ctx.template(value, [key], new Set());
  const common = {
    title: doc.title ?? null,
    description: doc.description ?? null,
  };
  let descriptor: Descriptor;
  if (doc.prompt !== undefined) {
    const names = new Set<string>();
    (doc.arguments ?? []).forEach((arg, index) => {
      if (names.has(arg.name)) ctx.error(['arguments', index, 'name'], `duplicate argument "${arg.name}"`);
      names.add(arg.name);
    });
    descriptor = {
      kind: 'prompt',
      name: doc.prompt,
      ...common,
      arguments: (doc.arguments ?? []).map((arg) => ({
        name: arg.name,
        description: arg.description ?? null,
        required: arg.required ?? false,
        values: arg.values ?? [],
      })),
      messages: template(doc.messages, 'messages') ?? [],
      recipe: doc.recipe ?? null,
    };
  } else {
    const content = {
      mimeType: doc.mime_type ?? null,
      text: template(doc.text, 'text'),
      blob: template(doc.blob, 'blob'),
    };
    if (doc.resource !== undefined) {
      descriptor = {
        kind: 'resource',
        uri: doc.resource,
        name: doc.name ?? doc.resource,
        ...common,
        ...content,
      };
    } else {
      const uriTemplate = doc.resource_template as string;
      const variables = [...uriTemplate.matchAll(VARIABLE)].map((m) => m[2] as string);
      const repeated = variables.find((name, index) => variables.indexOf(name) !== index);
      if (repeated) ctx.error(['resource_template'], `the variable {${repeated}} appears twice`);
      if (/[{}]/.test(uriTemplate.replace(VARIABLE, '')))
        ctx.error(
          ['resource_template'],
          'holds a "{" or "}" that is not a {variable} (only level 1 and {+var} are supported)',
        );
      descriptor = {
        kind: 'resource_template',
        uriTemplate,
        name: doc.name ?? uriTemplate,
        ...common,
        ...content,
        // Without a recipe the content is the text (default: the variables as JSON).
        recipe: doc.recipe ?? null,
        variables,
      };
    }
  }
  if (ctx.errors.length > 0) return { descriptor: null, errors: ctx.errors };
  return { descriptor, errors: [] };
}
