/**
 * Glossary — the words the rest of the code uses, and what they mean.
 *
 * - **workspace**: the tenant a row belongs to. Every tenant-owned row carries one (`default` until
 *   multi-tenancy arrives), so adding tenants needs no data migration.
 * - **recipe**: a YAML descriptor that declares one tool: its input schema, its steps and its output.
 * - **tool**: what an MCP client sees; one exposed recipe is one tool.
 * - **release**: an immutable, content-hashed set of recipe versions. Exactly one release is active per
 *   workspace; `deploy` creates and activates one, `rollback` re-activates an older one.
 * - **call**: one `tools/call`, committed to the store before anything runs. It is pinned to the release
 *   active when it was enqueued, and moves through the states in `call-status.ts`.
 * - **attempt**: one claim of a call by a worker. A call that is retried or resumed has several.
 * - **lease**: the right of one worker to run a call until `leaseExpiresAt`, proven by a fencing token
 *   (`leaseToken`, increasing per call). Writes with a stale token are rejected by the store.
 * - **step**: one entry of a recipe's `steps` (an action, a sub-recipe call, a return or a fail).
 * - **journal**: the per-call record of steps. A finished step's output is reused when the call resumes,
 *   so a finished step never runs twice. The journal is also the audit trail.
 * - **step key**: the idempotency key derived from call id + step path, passed to connectors so a
 *   downstream that honours keys (Stripe, upsert by external id, SQL ON CONFLICT) applies an effect once.
 * - **idempotency key**: the per-call key a client (or the recipe, or the content hash) supplies; the same
 *   key with the same arguments finds the same call.
 * - **connector**: a module that talks to one kind of system (util, http, sql, …) through actions.
 * - **connection**: a named, configured instance of a connector (base URL, credentials).
 */
export {};
