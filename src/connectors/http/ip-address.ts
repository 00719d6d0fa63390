import { isIPv4, isIPv6 } from 'node:net';

/** An IP address as a number, so ranges compare by prefix rather than by string. */
export type IpAddress = { version: 4; value: bigint } | { version: 6; value: bigint };

/** Parses a dotted-quad IPv4 or an IPv6 address (brackets and a `%zone` suffix allowed); null otherwise. */
export function parseIp(text: string): IpAddress | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(bare)) return { version: 4, value: ipv4Value(bare) };
  const unzoned = bare.split('%')[0] ?? '';
  if (!isIPv6(unzoned)) return null;
  return { version: 6, value: ipv6Value(unzoned) };
}

/** A stable key for set membership: `::ffff:127.0.0.1` and `127.0.0.1` stay different addresses. */
export function ipKey(ip: IpAddress): string {
  return `${ip.version}:${ip.value.toString(16)}`;
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Value(text: string): bigint {
  // A trailing dotted quad (`::ffff:10.0.0.1`) stands for the last two 16-bit words.
  const quad = /\d+\.\d+\.\d+\.\d+$/.exec(text);
  const v4 = quad ? ipv4Value(quad[0]) : 0n;
  const hex = quad
    ? `${text.slice(0, quad.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
    : text;
  const [left = '', right] = hex.split('::');
  const words = (part: string) => (part ? part.split(':').map((w) => BigInt(parseInt(w, 16))) : []);
  const head = words(left);
  const tail = right === undefined ? [] : words(right);
  const all =
    right === undefined ? head : [...head, ...Array<bigint>(8 - head.length - tail.length).fill(0n), ...tail];
  return all.reduce((acc, word) => (acc << 16n) | word, 0n);
}
