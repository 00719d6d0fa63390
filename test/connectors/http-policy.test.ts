import { describe, expect, it } from 'vitest';
import { isBlockedAddress } from '../../src/connectors/http/address-policy.js';
import { httpEffect } from '../../src/connectors/http/effect.js';
import { parseIp } from '../../src/connectors/http/ip-address.js';
import { parseRetryAfter } from '../../src/connectors/http/retry-after.js';
import { redactUrl } from '../../src/connectors/http/audit.js';

const blocked = (text: string) => {
  const ip = parseIp(text);
  if (!ip) throw new Error(`not an IP: ${text}`);
  return isBlockedAddress(ip);
};

describe('SSRF address policy', () => {
  it.each([
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '127.0.0.1',
    '127.255.0.9',
    '169.254.169.254',
    '169.254.0.1',
    '100.64.0.1',
    '100.100.100.200',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '[::1]',
    'fc00::1',
    'fd00:ec2::254',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::',
    '2002:c0a8:101::1',
  ])('blocks %s', (address) => {
    expect(blocked(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '169.255.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::',
  ])('lets %s through', (address) => {
    expect(blocked(address)).toBe(false);
  });

  it('parses only IP literals', () => {
    expect(parseIp('localhost')).toBeNull();
    expect(parseIp('1.2.3')).toBeNull();
    expect(parseIp('::ffff:127.0.0.1')).toEqual(parseIp('::ffff:7f00:1'));
    expect(parseIp('0:0:0:0:0:0:0:1')).toEqual(parseIp('::1'));
  });
});

describe('Retry-After', () => {
  const now = Date.parse('Sun, 06 Nov 1994 08:49:30 GMT');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter(['2', '9'], now)).toBe(2000);
  });

  it('reads the three HTTP-date forms as GMT', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', now)).toBe(7000);
  });

  it('treats a past date as now and junk as absent', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:00 GMT', now)).toBe(0);
    for (const junk of [undefined, '', '-1', '1.5', 'soon', '12 34'])
      expect(parseRetryAfter(junk, now)).toBeNull();
  });
});

describe('HTTP effects', () => {
  it('follows HTTP semantics and the idempotency-key opt-in', () => {
    expect(httpEffect('GET', false)).toBe('none');
    expect(httpEffect('HEAD', false)).toBe('none');
    expect(httpEffect('OPTIONS', false)).toBe('none');
    expect(httpEffect('PUT', false)).toBe('keyed');
    expect(httpEffect('DELETE', false)).toBe('keyed');
    expect(httpEffect('POST', false)).toBe('unsafe');
    expect(httpEffect('PATCH', false)).toBe('unsafe');
    expect(httpEffect('POST', true)).toBe('keyed');
    expect(httpEffect('PATCH', true)).toBe('keyed');
  });
});

describe('audit URL redaction', () => {
  it('drops user info and fragments and masks secret-looking query values', () => {
    const url = new URL(
      'https://user:pw@api.example.com/v1/x?api_key=abc&access_token=t&q=rooms&page=2#frag',
    );
    expect(redactUrl(url)).toBe(
      'https://api.example.com/v1/x?api_key=REDACTED&access_token=REDACTED&q=rooms&page=2',
    );
  });
});
