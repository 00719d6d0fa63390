import {
  CLIENT_INFO_META_KEY,
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
  type CallToolResult,
  type ListToolsResult,
  type Tool,
} from '@modelcontextprotocol/server';
import { isPlainObject, type JsonObject } from '../core/json.js';
import type { McpMethod, McpMethodsOptions, MethodContext } from './mcp-methods.js';
import { IDEMPOTENCY_META_KEY, TASKS_EXTENSION } from './mcp-protocol.js';
import { INPUT_CAPABILITIES_META_KEY } from '../core/input-capabilities.js';
import { inputCapabilities, resumeOf } from './input-responses.js';
import { inputRequiredResult, toCallToolResult } from './results.js';
import { isStoreUnavailable, storeOutage } from './store-outage.js';
import { checkParamHeaders } from './standard-headers.js';
import { createTaskResult } from './task-wire.js';
import type { StepProgress, SubmitOutcome, ToolDescriptor } from './tool-service.js';

/** `tools/list` and `tools/call`, on both eras. */
export function createToolMethods(options: McpMethodsOptions): [string, McpMethod][] {
  const { tools, tasks } = options;
  // ToolService caches descriptor arrays per release, so the wire form is built once per release too.
  const wireTools = new WeakMap<ToolDescriptor[], Tool[]>();
  const byName = new WeakMap<ToolDescriptor[], Map<string, ToolDescriptor>>();

  async function descriptorOf(server: string, name: string): Promise<ToolDescriptor | undefined> {
    const descriptors = (await tools.listTools(server)) ?? [];
    let map = byName.get(descriptors);
    if (!map) byName.set(descriptors, (map = new Map(descriptors.map((d) => [d.name, d]))));
    return map.get(name);
  }

  const listTools: McpMethod = async (_params, context): Promise<ListToolsResult> => {
    // The HTTP layer answered 404 for an unknown server (ToolService.hasServer) before reading the body.
    const descriptors = (await tools.listTools(context.server)) ?? [];
    let list = wireTools.get(descriptors);
    if (!list) wireTools.set(descriptors, (list = descriptors.map(toWireTool)));
    return { tools: list };
  };

  const callTool: McpMethod = async (params, context): Promise<CallToolResult | object> => {
    const name = params.name;
    if (typeof name !== 'string' || name === '')
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        'Invalid params: tools/call requires params.name, a tool name',
      );
    const meta = isPlainObject(params._meta) ? params._meta : undefined;
    let descriptor;
    try {
      descriptor = await descriptorOf(context.server, name);
    } catch (error) {
      // The active release could not be read: nothing was recorded (see CallService.submit).
      if (!isStoreUnavailable(error)) throw error;
      return toCallToolResult(storeOutage({ recorded: 'no', callId: null, keyed: false }), name);
    }
    const support = tasks ? (descriptor?.taskSupport ?? 'optional') : 'never';
    const declaresTasks = declares(context, TASKS_EXTENSION);
    if (descriptor?.paramHeaders && context.era === 'modern')
      checkParamHeaders(descriptor.paramHeaders, params.arguments, context.headers.params);
    if (descriptor) checkCapabilities(descriptor, context, support, declaresTasks);
    const asTask = declaresTasks && support !== 'never';

    const resume = context.era === 'modern' ? resumeOf(params) : undefined;
    const metaKey = meta?.[IDEMPOTENCY_META_KEY];
    const token = meta?.progressToken;
    const progress =
      context.notify && (typeof token === 'string' || typeof token === 'number')
        ? progressSink(context.notify, token)
        : undefined;
    const outcome = await tools.submit({
      server: context.server,
      tool: name,
      args: params.arguments,
      headerKey: context.headers.idempotencyKey ?? null,
      metaKey: typeof metaKey === 'string' ? metaKey : null,
      meta: callMeta(context, meta),
      signal: context.signal,
      ...(asTask && support === 'required' ? { waitMs: 0 } : {}),
      ...(progress ? { onProgress: progress } : {}),
      ...(resume ? { resume } : {}),
    });
    if (outcome.kind === 'in_progress' && progress && context.signal.aborted)
      // Closing a progress stream cancels the call, where its current step allows (cooperative).
      await tasks?.cancelTask(outcome.callId, 'the client closed the progress stream').catch(() => null);
    // A call that waits for input within the wait is answered with its input requests (SEP-2322), even
    // for a Tasks client: the multi-round-trip phase comes before a task is made (SEP-2663).
    if (outcome.kind === 'input_required' && context.era === 'modern') return inputRequiredResult(outcome);
    const taskId = taskIdOf(outcome, asTask, support);
    if (taskId !== null && tasks) {
      let view;
      try {
        view = await tasks.getTask(taskId);
      } catch (error) {
        // The call was recorded (its id is the task id): a retry with the key, or tasks/get, finds it.
        if (!isStoreUnavailable(error)) throw error;
        return toCallToolResult(storeOutage({ recorded: 'yes', callId: taskId, keyed: true }), name);
      }
      if (view) return createTaskResult(view);
    }
    return toCallToolResult(outcome, name);
  };

  return [
    ['tools/list', listTools],
    ['tools/call', callTool],
  ];
}

/** The call to answer with a task: a running call of a task-capable tool, or any call of a task-only one. */
function taskIdOf(outcome: SubmitOutcome, asTask: boolean, support: string): string | null {
  if (!asTask) return null;
  if (outcome.kind === 'in_progress') return outcome.callId;
  if (outcome.kind === 'settled' && support === 'required') return outcome.callId;
  return null;
}

/**
 * -32021 before anything is enqueued: a task-only tool for a client that did not declare the Tasks
 * extension (on any era: 2025 clients cannot declare it), or a tool needing client capabilities the
 * request did not declare (2026-07-28 only; 2025 capabilities are not per request).
 */
function checkCapabilities(
  descriptor: ToolDescriptor,
  context: MethodContext,
  support: string,
  declaresTasks: boolean,
): void {
  if (support === 'required' && !declaresTasks)
    throw new MissingRequiredClientCapabilityError(
      { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
      `Missing required client capability: ${descriptor.name} runs only as a task; declare the ${TASKS_EXTENSION} extension`,
    );
  const required = descriptor.requiredCapabilities;
  if (!required || context.clientCapabilities === null) return;
  const missing = Object.fromEntries(
    Object.entries(required).filter(([key]) => !isPlainObject(context.clientCapabilities?.[key])),
  );
  if (Object.keys(missing).length > 0)
    throw new MissingRequiredClientCapabilityError(
      { requiredCapabilities: missing },
      `Missing required client capability: ${descriptor.name} needs ${Object.keys(missing).join(', ')}`,
    );
}

/** Whether the request's per-request capabilities declare an extension (2026-07-28 only). */
function declares(context: MethodContext, extension: string): boolean {
  const extensions = context.clientCapabilities?.extensions;
  return isPlainObject(extensions) && isPlainObject(extensions[extension]);
}

function progressSink(
  notify: NonNullable<MethodContext['notify']>,
  progressToken: string | number,
): (progress: StepProgress) => void {
  return ({ progress, total, message }) =>
    notify('notifications/progress', { progressToken, progress, total, message });
}

function toWireTool(descriptor: ToolDescriptor): Tool {
  const tool = {
    name: descriptor.name,
    description: descriptor.description,
    inputSchema: descriptor.inputSchema,
    outputSchema: descriptor.outputSchema,
    _meta: descriptor.meta,
  } as Tool;
  if (descriptor.title !== null) tool.title = descriptor.title;
  if (descriptor.annotations !== null) tool.annotations = descriptor.annotations;
  if (descriptor.taskSupport !== undefined)
    tool.execution = {
      taskSupport: descriptor.taskSupport === 'never' ? 'forbidden' : descriptor.taskSupport,
    };
  return tool;
}

/**
 * Facts kept with the call row: the revision spoken and, on 2026-07-28, the self-reported client name
 * and the kinds of input request the client can answer (its per-request capabilities): an `ask` step
 * asks only through those, and a 2025-era call, which has none, cannot be asked anything.
 */
function callMeta(context: MethodContext, meta: Record<string, unknown> | undefined): JsonObject {
  const out: JsonObject = { protocolVersion: context.protocolVersion };
  const client = meta?.[CLIENT_INFO_META_KEY];
  if (isPlainObject(client) && typeof client.name === 'string') out.clientName = client.name;
  if (context.clientCapabilities !== null)
    out[INPUT_CAPABILITIES_META_KEY] = inputCapabilities(context.clientCapabilities);
  return out;
}
