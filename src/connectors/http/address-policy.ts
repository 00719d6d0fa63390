import { parseIp, type IpAddress } from './ip-address.js';

/** A CIDR range as the SSRF guard compares it. */
interface Range {
  version: 4 | 6;
  base: bigint;
  bits: number;
  /** For IPv6 ranges that embed an IPv4 address: where it sits; that address decides instead. */
  embedsIpv4At?: number;
}

/**
 * Addresses an outbound request must never reach unless the connection allow-lists the host: private,
 * loopback, link-local (incl. cloud metadata at 169.254.169.254 and fd00:ec2::254), CGNAT, "this network",
 * documentation, benchmarking, multicast and reserved ranges; IPv6 forms that embed an IPv4 address
 * (mapped, NAT64, 6to4) are judged by the address they embed.
 */
const BLOCKED: readonly Range[] = [
  // IPv4: this network, private, CGNAT, loopback, link-local, IETF, docs, 6to4 relay, benchmarking, multicast, reserved.
  ...['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12'],
  ...['192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24'],
  ...['203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4'],
  // IPv6: unspecified/loopback/IPv4-compatible, NAT64 local use, discard, Teredo, docs, ULA, link- and site-local, multicast.
  ...[
    '::/96',
    '64:ff9b:1::/48',
    '100::/64',
    '2001::/32',
    '2001:db8::/32',
    'fc00::/7',
    'fe80::/10',
    'fec0::/10',
    'ff00::/8',
  ],
].map((cidr) => range(cidr));

/** IPv6 ranges that carry an IPv4 address (IPv4-mapped, NAT64, 6to4), with the bit where it starts. */
const EMBEDDING: readonly Range[] = [
  range('::ffff:0:0/96', 96),
  range('64:ff9b::/96', 96),
  range('2002::/16', 16),
];

/** True when `ip` lies in a range the SSRF guard refuses. */
export function isBlockedAddress(ip: IpAddress): boolean {
  const carrier = EMBEDDING.find((r) => r.version === ip.version && inRange(ip.value, r));
  if (carrier?.embedsIpv4At !== undefined) {
    const embedded = (ip.value >> BigInt(128 - carrier.embedsIpv4At - 32)) & 0xffffffffn;
    return isBlockedAddress({ version: 4, value: embedded });
  }
  return BLOCKED.some((r) => r.version === ip.version && inRange(ip.value, r));
}

function inRange(value: bigint, r: Range): boolean {
  const width = r.version === 4 ? 32 : 128;
  const shift = BigInt(width - r.bits);
  return value >> shift === r.base >> shift;
}

function range(cidr: string, embedsIpv4At?: number): Range {
  const [address = '', bits = ''] = cidr.split('/');
  const ip = parseIp(address);
  if (!ip) throw new Error(`bad range ${cidr}`);
  return { version: ip.version, base: ip.value, bits: Number(bits), embedsIpv4At };
}
