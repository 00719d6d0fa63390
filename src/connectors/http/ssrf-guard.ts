import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isBlockedAddress } from './address-policy.js';
import { ipKey, parseIp, type IpAddress } from './ip-address.js';

/** Raised when a request would reach an address the guard refuses; nothing was sent. */
export class SsrfBlockedError extends Error {
  readonly code = 'SSRF_BLOCKED';
  constructor(message: string) {
    super(message);
    this.name = 'SsrfBlockedError';
  }
}

/**
 * Keeps outbound HTTP away from internal networks. Host names are judged by the address they resolve to
 * at connect time (`lookup`, given to the socket), which also defeats DNS rebinding; IP literals never go
 * through a lookup, so `checkUrl` judges them before each hop.
 */
export interface SsrfGuard {
  checkUrl(url: URL): void;
  lookup: LookupFunction;
}

/**
 * `allowHosts` lists host names (let through whatever they resolve to) and IP addresses (let through
 * however they are reached: as a literal or as what a name resolves to).
 */
export function createSsrfGuard(allowHosts: readonly string[]): SsrfGuard {
  const names = new Set<string>();
  const addresses = new Set<string>();
  for (const entry of allowHosts) {
    const ip = parseIp(entry);
    if (ip) addresses.add(ipKey(ip));
    else names.add(normalizeName(entry));
  }
  const allows = (host: string, ip: IpAddress) =>
    names.has(normalizeName(host)) || addresses.has(ipKey(ip)) || !isBlockedAddress(ip);

  return {
    checkUrl(url) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new SsrfBlockedError(`scheme ${url.protocol} is not allowed`);
      }
      const ip = parseIp(url.hostname);
      if (ip && !allows(url.hostname, ip)) {
        throw new SsrfBlockedError(`address ${url.hostname} is not allowed`);
      }
    },
    lookup(hostname, options, callback) {
      dnsLookup(hostname, { ...options, all: true }, (error, found: LookupAddress[]) => {
        if (error) return callback(error, '', 0);
        const refused = found.find((entry) => {
          const ip = parseIp(entry.address);
          return !ip || !allows(hostname, ip);
        });
        // One refused address refuses the name: picking the "good" one would let a resolver choose for us.
        if (refused) {
          return callback(
            new SsrfBlockedError(`host ${hostname} resolves to ${refused.address}, which is not allowed`),
            '',
            0,
          );
        }
        const first = found[0];
        if (options.all) return callback(null, found);
        if (!first) {
          return callback(
            Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }),
            '',
            0,
          );
        }
        return callback(null, first.address, first.family);
      });
    },
  };
}

function normalizeName(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}
