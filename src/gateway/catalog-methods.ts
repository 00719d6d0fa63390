import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import { INPUT_CAPABILITIES_META_KEY } from '../core/input-capabilities.js';
import { isPlainObject, type JsonObject } from '../core/json.js';
import type { CatalogService } from './catalog-service.js';
import { inputCapabilities, resumeOf } from './input-responses.js';
import type { McpMethod } from './mcp-methods.js';

/** Prompts, resources and completion, on both eras, from the descriptor files of the active release. */
export function createCatalogMethods(catalog: CatalogService): [string, McpMethod][] {
  const listPrompts: McpMethod = async (_params, context) => ({
    prompts: await catalog.listPrompts(context.server),
  });

  const getPrompt: McpMethod = async (params, context) => {
    const name = requireString(params.name, 'prompts/get requires params.name, a prompt name');
    const args = params.arguments ?? {};
    if (!isPlainObject(args) || !Object.values(args).every((v) => typeof v === 'string'))
      throw invalid('prompts/get arguments must be an object of strings');
    const resume = context.era === 'modern' ? resumeOf(params) : undefined;
    const meta: JsonObject = { protocolVersion: context.protocolVersion };
    if (context.clientCapabilities !== null)
      meta[INPUT_CAPABILITIES_META_KEY] = inputCapabilities(context.clientCapabilities);
    return catalog.getPrompt(context.server, name, args as Record<string, string>, {
      signal: context.signal,
      meta,
      ...(resume ? { resume } : {}),
    });
  };

  const listResources: McpMethod = async (_params, context) => ({
    resources: await catalog.listResources(context.server),
  });

  const listTemplates: McpMethod = async (_params, context) => ({
    resourceTemplates: await catalog.listResourceTemplates(context.server),
  });

  const readResource: McpMethod = async (params, context) => {
    const uri = requireString(params.uri, 'resources/read requires params.uri, a resource URI');
    return catalog.readResource(context.server, uri, context.signal);
  };

  const complete: McpMethod = async (params, context) => {
    const ref = params.ref;
    const argument = params.argument;
    if (!isPlainObject(ref) || !isPlainObject(argument) || typeof argument.name !== 'string')
      throw invalid('completion/complete requires params.ref and params.argument {name, value}');
    const prefix = typeof argument.value === 'string' ? argument.value : '';
    const values =
      ref.type === 'ref/prompt' && typeof ref.name === 'string'
        ? await catalog.complete(context.server, ref.name, argument.name, prefix)
        : [];
    return { completion: { values, total: values.length, hasMore: false } };
  };

  return [
    ['prompts/list', listPrompts],
    ['prompts/get', getPrompt],
    ['resources/list', listResources],
    ['resources/templates/list', listTemplates],
    ['resources/read', readResource],
    ['completion/complete', complete],
  ];
}

function requireString(value: unknown, message: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(message);
  return value;
}

function invalid(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid params: ${message}`);
}
