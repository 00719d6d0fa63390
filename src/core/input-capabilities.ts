/**
 * The call's meta key listing the kinds of input request its client can answer (`elicitation`,
 * `sampling`, `roots`): the gateway sets it from the 2026-07-28 per-request client capabilities, and an
 * `ask` step asks only through those. A call without it (a 2025-era client, the REST face, a recipe test)
 * cannot be asked anything.
 */
export const INPUT_CAPABILITIES_META_KEY = 'inputCapabilities';
