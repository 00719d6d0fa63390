import type { MessageRow } from './store.js';

export const API_VERSION = '2010-04-01';
const PRICE_PER_SEGMENT = 0.0079;

/** Twilio's RFC 2822 dates: `Thu, 24 Aug 2023 05:01:45 +0000`. */
export function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

export function messageUri(accountSid: string, sid: string): string {
  return `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`;
}

/**
 * Twilio's Message resource. A message is `queued` when created, `sent` half of `deliveryMs` later and
 * `delivered` after `deliveryMs`, computed from its age when read (so it holds across restarts).
 */
export function messageResource(row: MessageRow, now: number, deliveryMs: number, justCreated = false) {
  const age = justCreated ? 0 : now - row.created_at;
  const sentAt = row.created_at + deliveryMs / 2;
  const deliveredAt = row.created_at + deliveryMs;
  const status = age >= deliveryMs ? 'delivered' : age >= deliveryMs / 2 ? 'sent' : 'queued';
  const updatedAt = status === 'delivered' ? deliveredAt : status === 'sent' ? sentAt : row.created_at;
  return {
    account_sid: row.account_sid,
    api_version: API_VERSION,
    body: row.body,
    date_created: rfc2822(row.created_at),
    date_sent: status === 'queued' ? null : rfc2822(sentAt),
    date_updated: rfc2822(updatedAt),
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: row.from_number,
    messaging_service_sid: null,
    num_media: String(row.num_media),
    num_segments: String(row.num_segments),
    price: status === 'queued' ? null : (-PRICE_PER_SEGMENT * row.num_segments).toFixed(5),
    price_unit: 'USD',
    sid: row.sid,
    status,
    subresource_uris: {
      media: `/${API_VERSION}/Accounts/${row.account_sid}/Messages/${row.sid}/Media.json`,
    },
    to: row.to_number,
    uri: messageUri(row.account_sid, row.sid),
  };
}
