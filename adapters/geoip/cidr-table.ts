import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import type { IpLocator } from './port.js';

// Private, loopback and link-local networks: a sign-in from there is "on a local network", which is
// what a person approving it should be told rather than "unknown".
const LOCAL = new BlockList();
for (const [net, bits] of [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['100.64.0.0', 10],
] as const)
  LOCAL.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  LOCAL.addSubnet(net, bits, 'ipv6');

interface Range {
  first: bigint;
  last: bigint;
  place: string;
}

function toBigInt(ip: string): { value: bigint; family: 4 | 6 } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped?.[1] ?? ip;
  const family = isIP(address);
  if (family === 4) return { value: address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n), family: 4 };
  if (family !== 6) return undefined;
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = address.includes('::') && tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4 was handled above; others are rare) counts as two groups.
  const expand = (groups: string[]) =>
    groups.flatMap((g) =>
      g.includes('.')
        ? (() => {
            const v = Number(toBigInt(g)!.value);
            return [(v >>> 16).toString(16), (v & 0xffff).toString(16)];
          })()
        : [g],
    );
  const h = expand(headGroups);
  const t = expand(tailGroups);
  const groups = [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return { value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n), family: 6 };
}

/**
 * A table of networks and places, loaded once from a CSV file the operator supplies (for example an
 * export of a city-level GeoIP database): one `network/prefix,place` per line, `#` comments allowed,
 * the place may contain commas. Lookups are a binary search over sorted ranges, per address family.
 */
export class CidrPlaceTable implements IpLocator {
  readonly #ranges: Record<4 | 6, Range[]> = { 4: [], 6: [] };

  constructor(lines: Iterable<string>) {
    let n = 0;
    for (const raw of lines) {
      n += 1;
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const comma = line.indexOf(',');
      const [network, bitsText] = (comma > 0 ? line.slice(0, comma) : '').split('/');
      const place = line.slice(comma + 1).trim();
      const start = network ? toBigInt(network.trim()) : undefined;
      const bits = Number(bitsText);
      const width = start?.family === 4 ? 32 : 128;
      if (!start || !place || !Number.isInteger(bits) || bits < 0 || bits > width)
        throw new Error(`IP place table, line ${n}: expected "network/prefix,place"`);
      const size = 1n << BigInt(width - bits);
      const first = (start.value / size) * size;
      this.#ranges[start.family].push({ first, last: first + size - 1n, place });
    }
    // Most specific first among equal starts, so a /24 inside a /16 wins over it.
    for (const family of [4, 6] as const) this.#ranges[family].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.last < b.last ? -1 : 1));
  }

  static fromFile(file: string): CidrPlaceTable {
    return new CidrPlaceTable(readFileSync(file, 'utf8').split(/\r?\n/));
  }

  locate(ip: string): string | undefined {
    const parsed = toBigInt(ip);
    if (!parsed) return undefined;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
    if (LOCAL.check(mapped ?? ip, mapped || parsed.family === 4 ? 'ipv4' : 'ipv6')) return 'local';
    const ranges = this.#ranges[parsed.family];
    // The last range starting at or before the address; walk back while ranges still cover it, to find
    // the most specific one (nested networks).
    let lo = 0;
    let hi = ranges.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ranges[mid]!.first <= parsed.value) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let best: Range | undefined;
    for (let i = at; i >= 0 && i > at - 64; i--) {
      const r = ranges[i]!;
      if (r.first <= parsed.value && parsed.value <= r.last && (!best || r.last - r.first < best.last - best.first)) best = r;
    }
    return best?.place;
  }
}

/** Without a table: only local networks are recognised. */
export const localOnly: IpLocator = new CidrPlaceTable([]);
