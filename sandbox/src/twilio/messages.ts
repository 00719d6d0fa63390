import { randomBytes } from 'node:crypto';
import { SANDBOX_CREDENTIALS } from '../shared/credentials.js';
import { basicAuth, type Route, type SandboxRequest, type SandboxResponse } from '../shared/http.js';
import type { Ledger } from '../shared/ledger.js';
import { authenticationError, resourceNotFound, TwilioError } from './errors.js';
import { invalidTo, magicNumberFailure, normalizePhone } from './phone.js';
import { API_VERSION, messageResource } from './resource.js';
import { segmentCount } from './segments.js';
import type { MessageRow, MessageStore } from './store.js';

export interface MessagesDeps {
  store: MessageStore;
  ledger: Ledger;
  now(): number;
  deliveryMs: number;
}

const MAX_BODY_LENGTH = 1600;
const BASE = `/${API_VERSION}/Accounts/:accountSid`;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** The Messages API: send (POST Messages.json), fetch (GET Messages/{Sid}.json) and list. */
export function messageRoutes(deps: MessagesDeps): Route[] {
  return [
    { method: 'POST', path: `${BASE}/Messages.json`, changesState: true, handler: guarded(create) },
    { method: 'GET', path: `${BASE}/Messages.json`, handler: guarded(list) },
    { method: 'GET', path: `${BASE}/Messages/:file`, handler: guarded(fetch) },
  ];

  /** Basic auth AccountSid:AuthToken for the account in the path; Twilio's error body on failure. */
  function guarded(handler: (req: SandboxRequest, accountSid: string) => SandboxResponse) {
    return (req: SandboxRequest): SandboxResponse => {
      const headers = { 'twilio-request-id': `RQ${hex(16)}` };
      const credentials = basicAuth(req);
      const { accountSid, authToken } = SANDBOX_CREDENTIALS.twilio;
      try {
        if (
          credentials?.user !== accountSid ||
          credentials.password !== authToken ||
          req.params.accountSid !== accountSid
        )
          return authenticationError().toResponse({
            ...headers,
            'www-authenticate': 'Basic realm="Twilio API"',
          });
        const response = handler(req, accountSid);
        return { ...response, headers: { ...headers, ...response.headers } };
      } catch (error) {
        if (error instanceof TwilioError) return error.toResponse(headers);
        throw error;
      }
    };
  }

  function create(req: SandboxRequest, accountSid: string): SandboxResponse {
    const form = new URLSearchParams(req.body.toString('utf8'));
    const rawTo = form.get('To');
    const rawFrom = form.get('From');
    const body = form.get('Body') ?? '';
    const media = form.getAll('MediaUrl');
    if (!rawTo) throw new TwilioError(21604, "A 'To' phone number is required.");
    if (!rawFrom) throw new TwilioError(21603, "A 'From' phone number is required.");
    if (body === '' && media.length === 0) throw new TwilioError(21602, 'Message body is required.');
    const to = normalizePhone(rawTo);
    if (!to) throw invalidTo(rawTo);
    const from = normalizePhone(rawFrom);
    if (!from)
      throw new TwilioError(
        21212,
        `The 'From' number ${rawFrom} is not a valid phone number, shortcode, or alphanumeric sender ID.`,
      );
    if (from !== SANDBOX_CREDENTIALS.twilio.from)
      throw new TwilioError(
        21606,
        `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
      );
    if (to === from) throw new TwilioError(21266, "'To' and 'From' number cannot be the same");
    if (body.length > MAX_BODY_LENGTH)
      throw new TwilioError(21617, 'The concatenated message body exceeds the 1600 character limit.');
    const magic = magicNumberFailure(to, from);
    if (magic) throw magic;

    const row: MessageRow = {
      sid: `SM${hex(16)}`,
      account_sid: accountSid,
      to_number: to,
      from_number: from,
      body,
      num_segments: segmentCount(body),
      num_media: media.length,
      created_at: deps.now(),
    };
    deps.store.insert(row);
    deps.ledger.record('messages.create', null, row.sid);
    return { status: 201, body: messageResource(row, deps.now(), deps.deliveryMs, true) };
  }

  function fetch(req: SandboxRequest, accountSid: string): SandboxResponse {
    const sid = /^(SM[0-9a-f]{32})\.json$/.exec(req.params.file ?? '')?.[1];
    const row = sid ? deps.store.get(accountSid, sid) : null;
    if (!row) throw resourceNotFound(req.path);
    return { status: 200, body: messageResource(row, deps.now(), deps.deliveryMs) };
  }

  function list(req: SandboxRequest, accountSid: string): SandboxResponse {
    const to = req.query.get('To');
    const from = req.query.get('From');
    const pageSize = Math.min(Math.max(Number(req.query.get('PageSize') ?? 50) || 50, 1), 1000);
    const page = Math.max(Number(req.query.get('Page') ?? 0) || 0, 0);
    const filter = {
      to: to ? (normalizePhone(to) ?? to) : undefined,
      from: from ? (normalizePhone(from) ?? from) : undefined,
    };
    const rows = deps.store.list(accountSid, filter, page, pageSize);
    const uri = (p: number) => {
      const query = new URLSearchParams();
      if (filter.to) query.set('To', filter.to);
      if (filter.from) query.set('From', filter.from);
      query.set('PageSize', String(pageSize));
      query.set('Page', String(p));
      return `/${API_VERSION}/Accounts/${accountSid}/Messages.json?${query.toString()}`;
    };
    const hasNext = deps.store.list(accountSid, filter, page + 1, pageSize).length > 0;
    const start = page * pageSize;
    return {
      status: 200,
      body: {
        end: rows.length === 0 ? start : start + rows.length - 1,
        first_page_uri: uri(0),
        messages: rows.map((row) => messageResource(row, deps.now(), deps.deliveryMs)),
        next_page_uri: hasNext ? uri(page + 1) : null,
        page,
        page_size: pageSize,
        previous_page_uri: page > 0 ? uri(page - 1) : null,
        start,
        uri: uri(page),
      },
    };
  }
}
