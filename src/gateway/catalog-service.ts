import {
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  UriTemplate,
  type GetPromptResult,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplateType as ResourceTemplate,
} from '@modelcontextprotocol/server';
import type { JsonObject, JsonValue } from '../core/json.js';
import type {
  Descriptor,
  PromptDescriptor,
  ResourceDescriptor,
  ResourceTemplateDescriptor,
} from '../recipes/descriptor.js';
import type { ExpressionScope } from '../recipes/expression.js';
import type { ReleaseCatalog } from '../recipes/release-catalog.js';
import type { Template } from '../recipes/recipe.js';
import type { TemplateEvaluator } from '../recipes/template-evaluator.js';
import type { Store } from '../store/store.js';
import type { SubmitOutcome, SubmitRequest } from './tool-service.js';

/**
 * Prompts and resources, as declared in the active release's descriptor files (see
 * `src/recipes/descriptor.ts`). Lists are per MCP server: a server configured with `*` lists every
 * one; a named server lists those whose prompt name, resource URI or template it names. Errors a client
 * can fix are thrown as protocol errors (-32602); anything else is a plain error (-32603, logged).
 */
export interface CatalogService {
  listPrompts(server: string): Promise<Prompt[]>;
  /**
   * A prompt's messages. A recipe-backed prompt runs its recipe first (a durable call); if the recipe
   * asks the client for input, the answer is an InputRequiredResult (2026-07-28) and the retry carrying
   * `resume` continues it.
   */
  getPrompt(
    server: string,
    name: string,
    args: Record<string, string>,
    request?: PromptRequest,
  ): Promise<GetPromptResult | InputRequiredAnswer>;
  listResources(server: string): Promise<Resource[]>;
  listResourceTemplates(server: string): Promise<ResourceTemplate[]>;
  /** A static resource, or a template's: the backing recipe runs as a durable call. */
  readResource(server: string, uri: string, signal: AbortSignal): Promise<ReadResourceResult>;
  /** Known values of a prompt's argument (its `values:`) that start with `prefix`. */
  complete(server: string, prompt: string, argument: string, prefix: string): Promise<string[]>;
}

/** What a recipe-backed prompt's call needs of the request. */
export interface PromptRequest {
  signal: AbortSignal;
  /** Facts kept with the call (the revision, the kinds of input the client can answer). */
  meta: JsonObject;
  resume?: SubmitRequest['resume'];
}

/** The 2026-07-28 InputRequiredResult of a prompt whose recipe waits for input. */
export interface InputRequiredAnswer {
  resultType: 'input_required';
  inputRequests: JsonObject;
  requestState: string;
}

export interface CatalogServiceOptions {
  store: Store;
  catalog: ReleaseCatalog;
  evaluator: TemplateEvaluator;
  workspace: string;
  servers: Record<string, string[] | '*'>;
  /** Runs a template's backing recipe (the call service's submit). */
  submit(request: SubmitRequest): Promise<SubmitOutcome>;
}

export function createCatalogService(options: CatalogServiceOptions): CatalogService {
  const { store, catalog, evaluator, workspace, servers } = options;
  const templates = new WeakMap<ResourceTemplateDescriptor, UriTemplate>();

  async function visible(server: string): Promise<readonly Descriptor[]> {
    const allowed = servers[server];
    const releaseId = await store.getActiveReleaseId(workspace);
    if (allowed === undefined || !releaseId) return [];
    const all = await catalog.descriptors(releaseId);
    return allowed === '*' ? all : all.filter((d) => allowed.includes(nameOf(d)));
  }

  async function prompt(server: string, name: string): Promise<PromptDescriptor> {
    const found = (await visible(server)).find((d) => d.kind === 'prompt' && d.name === name);
    if (!found) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${name}`);
    return found as PromptDescriptor;
  }

  const evaluate = (template: Template, input: JsonValue, data: JsonValue = null) =>
    evaluator.value(template, scopeOf(input, data));

  function uriTemplate(descriptor: ResourceTemplateDescriptor): UriTemplate {
    let compiled = templates.get(descriptor);
    if (!compiled) templates.set(descriptor, (compiled = new UriTemplate(descriptor.uriTemplate)));
    return compiled;
  }

  async function contents(
    descriptor: ResourceDescriptor | ResourceTemplateDescriptor,
    uri: string,
    input: JsonObject,
    data: JsonValue,
  ): Promise<ReadResourceResult> {
    const base = { uri, ...(descriptor.mimeType ? { mimeType: descriptor.mimeType } : {}) };
    if (descriptor.blob !== null)
      return { contents: [{ ...base, blob: asText(await evaluate(descriptor.blob, input, data)) }] };
    const text = descriptor.text === null ? data : await evaluate(descriptor.text, input, data);
    return { contents: [{ ...base, text: asText(text) }] };
  }

  return {
    async listPrompts(server) {
      return (await visible(server)).flatMap((d) => (d.kind === 'prompt' ? [wirePrompt(d)] : []));
    },

    async getPrompt(server, name, args, request) {
      const descriptor = await prompt(server, name);
      const missing = descriptor.arguments.filter((a) => a.required && typeof args[a.name] !== 'string');
      if (missing.length > 0)
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Invalid params: prompt ${name} requires ${missing.map((a) => `"${a.name}"`).join(', ')}`,
        );
      const input: JsonObject = {};
      for (const arg of descriptor.arguments) input[arg.name] = args[arg.name] ?? null;
      let data: JsonValue = null;
      if (descriptor.recipe) {
        const outcome = await runPrompt(descriptor.recipe, server, name, input, request);
        if ('resultType' in outcome) return outcome;
        data = outcome.data;
      }
      const messages = await evaluate(descriptor.messages, input, data);
      return {
        ...(descriptor.description ? { description: descriptor.description } : {}),
        messages: messages as GetPromptResult['messages'],
      };
    },

    async listResources(server) {
      return (await visible(server)).flatMap((d) => (d.kind === 'resource' ? [wireResource(d)] : []));
    },

    async listResourceTemplates(server) {
      return (await visible(server)).flatMap((d) =>
        d.kind === 'resource_template' ? [wireTemplate(d)] : [],
      );
    },

    async readResource(server, uri, signal) {
      const all = await visible(server);
      const exact = all.find((d) => d.kind === 'resource' && d.uri === uri) as ResourceDescriptor | undefined;
      if (exact) return contents(exact, uri, {}, null);
      for (const descriptor of all) {
        if (descriptor.kind !== 'resource_template') continue;
        const variables = uriTemplate(descriptor).match(uri);
        if (!variables) continue;
        const input = Object.fromEntries(
          Object.entries(variables).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
        );
        if (!descriptor.recipe) return contents(descriptor, uri, input, input);
        return contents(
          descriptor,
          uri,
          input,
          await runRecipe(descriptor.recipe, server, uri, input, signal),
        );
      }
      throw new ResourceNotFoundError(uri);
    },

    async complete(server, name, argument, prefix) {
      const descriptor = await prompt(server, name);
      const values = descriptor.arguments.find((a) => a.name === argument)?.values ?? [];
      return values.filter((value) => value.startsWith(prefix)).slice(0, 100);
    },
  };

  /** The recipe behind a prompt or a resource, run as an internal call (no client idempotency key). */
  function submitInternal(
    recipe: string,
    server: string,
    args: JsonObject,
    meta: JsonObject,
    extra: Pick<SubmitRequest, 'signal' | 'resume'>,
  ): Promise<SubmitOutcome> {
    return options.submit({
      server,
      tool: recipe,
      args,
      headerKey: null,
      metaKey: null,
      meta,
      internal: true,
      ...extra,
    });
  }

  /** A prompt's recipe runs like a tool call; it may ask for input (an InputRequiredResult). */
  async function runPrompt(
    recipe: string,
    server: string,
    name: string,
    input: JsonObject,
    request: PromptRequest | undefined,
  ): Promise<{ data: JsonValue } | InputRequiredAnswer> {
    const outcome = await submitInternal(
      recipe,
      server,
      input,
      { face: 'prompt', prompt: name, ...request?.meta },
      {
        ...(request ? { signal: request.signal } : {}),
        ...(request?.resume ? { resume: request.resume } : {}),
      },
    );
    switch (outcome.kind) {
      case 'settled':
        if (outcome.result.ok) return { data: outcome.result.data };
        throw new ProtocolError(
          ProtocolErrorCode.InternalError,
          `prompt ${name} failed: ${outcome.result.error.code}: ${outcome.result.error.message}`,
        );
      case 'input_required':
        if (request?.meta.protocolVersion !== '2026-07-28')
          throw new ProtocolError(
            ProtocolErrorCode.InternalError,
            `prompt ${name} waits for client input, which only an MCP 2026-07-28 client can give`,
          );
        return {
          resultType: 'input_required',
          inputRequests: outcome.inputRequests,
          requestState: outcome.requestState,
        };
      case 'rejected':
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid params: ${outcome.error.message}`);
      case 'invalid_input':
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, outcome.message, outcome.data);
      case 'in_progress':
        throw new ProtocolError(
          ProtocolErrorCode.InternalError,
          `prompt ${name} is still being built (call ${outcome.callId}); get it again later`,
        );
      case 'unknown_tool':
        throw new ProtocolError(ProtocolErrorCode.InternalError, `prompt ${name}: its recipe is missing`);
      case 'store_unavailable':
        throw new ProtocolError(ProtocolErrorCode.InternalError, `prompt ${name}: ${outcome.error.message}`);
    }
  }

  /** A template read runs its recipe like a tool call (durable, idempotent by content), and waits for its data. */
  async function runRecipe(
    recipe: string,
    server: string,
    uri: string,
    input: JsonObject,
    signal: AbortSignal,
  ): Promise<JsonValue> {
    const outcome = await submitInternal(recipe, server, input, { face: 'resource', uri }, { signal });
    switch (outcome.kind) {
      case 'settled':
        if (outcome.result.ok) return outcome.result.data;
        if (outcome.result.error.status === 404) throw new ResourceNotFoundError(uri);
        throw new ProtocolError(
          ProtocolErrorCode.InternalError,
          `reading ${uri} failed: ${outcome.result.error.code}: ${outcome.result.error.message}`,
        );
      case 'rejected':
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Invalid params: ${uri}: ${outcome.error.message}`,
        );
      case 'in_progress':
        throw new ProtocolError(
          ProtocolErrorCode.InternalError,
          `reading ${uri} is still running (call ${outcome.callId}); read it again later`,
        );
      case 'input_required':
        throw new ProtocolError(
          ProtocolErrorCode.InternalError,
          `reading ${uri} needs client input (call ${outcome.callId}), which resource reads do not ask for`,
        );
      case 'invalid_input':
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, outcome.message, outcome.data);
      case 'unknown_tool':
        throw new ResourceNotFoundError(uri);
      case 'store_unavailable':
        throw new ProtocolError(ProtocolErrorCode.InternalError, `reading ${uri}: ${outcome.error.message}`);
    }
  }
}

function scopeOf(input: JsonValue, data: JsonValue): ExpressionScope {
  return { input, steps: {}, call: { id: '', tool: '', attempt: 0, idempotency_key: null }, env: {}, data };
}

function nameOf(descriptor: Descriptor): string {
  switch (descriptor.kind) {
    case 'prompt':
      return descriptor.name;
    case 'resource':
      return descriptor.uri;
    case 'resource_template':
      return descriptor.uriTemplate;
  }
}

function asText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function common(d: { title: string | null; description: string | null }) {
  return { ...(d.title ? { title: d.title } : {}), ...(d.description ? { description: d.description } : {}) };
}

function wirePrompt(d: PromptDescriptor): Prompt {
  return {
    name: d.name,
    ...common(d),
    arguments: d.arguments.map((a) => ({
      name: a.name,
      ...(a.description ? { description: a.description } : {}),
      required: a.required,
    })),
  };
}

function wireResource(d: ResourceDescriptor): Resource {
  return { uri: d.uri, name: d.name, ...common(d), ...(d.mimeType ? { mimeType: d.mimeType } : {}) };
}

function wireTemplate(d: ResourceTemplateDescriptor): ResourceTemplate {
  return {
    uriTemplate: d.uriTemplate,
    name: d.name,
    ...common(d),
    ...(d.mimeType ? { mimeType: d.mimeType } : {}),
  };
}
