import type { Route } from '../shared/http.js';
import { apiRoute, type ApiGate } from './api.js';

/** API versions the emulator answers (any `vNN.N` works; these are the ones it lists). */
const VERSIONS = [
  { label: "Winter '24", version: '59.0' },
  { label: "Spring '24", version: '60.0' },
  { label: "Summer '24", version: '61.0' },
  { label: "Winter '25", version: '62.0' },
];

/**
 * `GET /services/data` (the versions; needs no session and does not count) and
 * `GET /services/data/:version/limits` (`{ DailyApiRequests: { Max, Remaining } }`; counts like any call).
 */
export function limitRoutes(gate: ApiGate): Route[] {
  return [
    {
      method: 'GET',
      path: '/services/data',
      handler: () => ({
        status: 200,
        body: VERSIONS.map((v) => ({ ...v, url: `/services/data/v${v.version}` })),
      }),
    },
    apiRoute(gate, 'GET', '/limits', () => ({
      status: 200,
      body: {
        DailyApiRequests: { Max: gate.quota.max, Remaining: Math.max(0, gate.quota.max - gate.quota.used()) },
      },
    })),
  ];
}
