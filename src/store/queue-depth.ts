/**
 * The queue depth the autoscalers read: calls queued, running, or waiting to retry. The supervisor
 * runs it through `Store.queueDepth`; the Kubernetes manifests (deploy/k8s, KEDA's `postgresql` trigger)
 * run this statement itself, and a test keeps the two the same. Portable SQL: it runs on SQLite and
 * PostgreSQL alike.
 */
export const QUEUE_DEPTH_SQL =
  "SELECT count(*) FROM calls WHERE status IN ('queued', 'running', 'retry_wait')";
