import { taskStatusOf, type TaskStatus } from '../core/call-status.js';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';
import { toCallToolResult } from './results.js';
import type { TaskView } from './tool-service.js';

/**
 * The Tasks extension's wire shapes (SEP-2663, `io.modelcontextprotocol/tasks`), which the SDK does not
 * define: a call seen as a task. The task id is the call id. Statuses map as DESIGN.md says
 * (`taskStatusOf`); a settled call whose result cannot be rendered is the one JSON-RPC-level fault, so
 * the only `failed` task.
 */

/** How often a client should poll `tasks/get` (integer ms). */
export const POLL_INTERVAL_MS = 500;

export interface WireTask {
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: number | null;
  pollIntervalMs: number;
}

/**
 * `tasks/get`'s DetailedTask: the task plus its result (completed), its error (failed), or the input
 * requests it waits on (input_required, SEP-2322 shapes keyed by request key; answered with tasks/update).
 */
export type DetailedTask = WireTask & {
  result?: object;
  error?: { code: number; message: string };
  inputRequests?: object;
};

/** The CreateTaskResult of a `tools/call`: the task alone (its result and input requests are read with `tasks/get`). */
export function createTaskResult(view: TaskView): WireTask & { resultType: 'task' } {
  const { result: _result, error: _error, inputRequests: _requests, ...task } = detailedTask(view);
  return { resultType: 'task', ...task };
}

export function detailedTask(view: TaskView): DetailedTask {
  const base: WireTask = {
    taskId: view.callId,
    status: taskStatusOf(view.status),
    createdAt: new Date(view.createdAt).toISOString(),
    lastUpdatedAt: new Date(view.updatedAt).toISOString(),
    ttlMs: view.ttlMs === null ? null : Math.round(view.ttlMs),
    pollIntervalMs: POLL_INTERVAL_MS,
  };
  if (view.fault !== null)
    return {
      ...base,
      status: 'failed',
      statusMessage: 'the result could not be rendered',
      error: { code: ProtocolErrorCode.InternalError, message: `Internal error: ${view.fault}` },
    };
  if (base.status === 'working') return { ...base, statusMessage: `the call is ${view.status}` };
  if (base.status === 'input_required')
    return {
      ...base,
      statusMessage: 'the call waits for client input: answer with tasks/update',
      inputRequests: view.inputRequests ?? {},
    };
  if (base.status === 'cancelled') return { ...base, statusMessage: 'the call was cancelled' };
  if (view.result === null) return base;
  const result = toCallToolResult({ kind: 'settled', callId: view.callId, result: view.result }, view.tool);
  const statusMessage = view.result.ok ? 'the call succeeded' : `the call failed: ${view.result.error.code}`;
  // The inlined result is what the request would have returned on 2026-07-28: a complete result.
  return { ...base, statusMessage, result: { resultType: 'complete', ...result } };
}
