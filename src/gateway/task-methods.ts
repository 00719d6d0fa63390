import {
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
} from '@modelcontextprotocol/server';
import { isPlainObject, type JsonObject } from '../core/json.js';
import type { McpMethod, McpParams, MethodContext } from './mcp-methods.js';
import { TASKS_EXTENSION } from './mcp-protocol.js';
import { detailedTask } from './task-wire.js';
import type { TaskService } from './tool-service.js';

/**
 * `tasks/get`, `tasks/update` and `tasks/cancel` of the Tasks extension (2026-07-28 only), answered
 * from the store, so any gateway can answer for any task. `tasks/list` and `tasks/result` (2025's
 * experimental tasks) are not registered: -32601. Only clients that declare the extension on the
 * request may use them (-32021 otherwise).
 */
export function createTaskMethods(tasks: TaskService): [string, McpMethod][] {
  const getTask: McpMethod = async (params, context) => {
    const view = await tasks.getTask(taskIdOf(params, context));
    if (!view) throw notFound();
    return detailedTask(view);
  };

  // Answers a task waiting on an `ask` step: responses to its outstanding requests are checked and
  // recorded (some now, the rest later is fine); once all are in, the call runs on. Responses for keys not
  // outstanding are ignored (SEP-2663), and the update is acknowledged with an empty result either way;
  // the task's new state is read with tasks/get. A response that does not fit its request is -32602 and
  // nothing is recorded.
  const updateTask: McpMethod = async (params, context) => {
    const taskId = taskIdOf(params, context);
    const responses = params.inputResponses ?? {};
    if (!isPlainObject(responses))
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        'Invalid params: inputResponses must be an object',
      );
    const outcome = await tasks.answerTask(taskId, responses as JsonObject);
    if (!outcome) throw notFound();
    if (outcome.kind === 'invalid')
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, outcome.message, outcome.data);
    return {};
  };

  const cancelTask: McpMethod = async (params, context) => {
    const view = await tasks.cancelTask(taskIdOf(params, context), 'cancelled by the client (tasks/cancel)');
    if (!view) throw notFound();
    return {};
  };

  return [
    ['tasks/get', getTask],
    ['tasks/update', updateTask],
    ['tasks/cancel', cancelTask],
  ];
}

function taskIdOf(params: McpParams, context: MethodContext): string {
  const extensions = context.clientCapabilities?.extensions;
  if (!isPlainObject(extensions) || !isPlainObject(extensions[TASKS_EXTENSION]))
    throw new MissingRequiredClientCapabilityError(
      { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
      `Missing required client capability: declare the ${TASKS_EXTENSION} extension to use tasks`,
    );
  if (typeof params.taskId !== 'string' || params.taskId === '')
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      'Invalid params: params.taskId must be a task id',
    );
  return params.taskId;
}

function notFound(): ProtocolError {
  return new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    'Failed to retrieve task: Task not found or expired',
  );
}
