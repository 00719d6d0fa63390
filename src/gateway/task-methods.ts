import {
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
} from '@modelcontextprotocol/server';
import { isPlainObject } from '../core/json.js';
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

  // No step asks for input in this build, so a task never waits on one: input responses are ignored
  // (SEP-2663: responses for keys not outstanding SHOULD be ignored), and the update is acknowledged.
  const updateTask: McpMethod = async (params, context) => {
    const taskId = taskIdOf(params, context);
    if (params.inputResponses !== undefined && !isPlainObject(params.inputResponses))
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        'Invalid params: inputResponses must be an object',
      );
    if (!(await tasks.getTask(taskId))) throw notFound();
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
