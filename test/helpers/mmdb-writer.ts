import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Writes a tiny MaxMind DB (MMDB 2.0) file for tests: an IPv4 search tree over a few networks
 * and their records. MaxMind's test databases cannot be downloaded here, and a GeoLite2 file is
 * licensed separately; the format is small and public (maxmind.github.io/MaxMind-DB), and the
 * reader under test is the real one (`maxmind`).
 */
type Value = string | number | readonly Value[] | { readonly [key: string]: Value };

function control(type: number, size: number): number[] {
  if (size >= 29) throw new Error('test MMDB writer: value too large');
  return type <= 7 ? [(type << 5) | size] : [size, type - 7];
}

function encode(value: Value): number[] {
  if (typeof value === 'string') {
    const bytes = [...Buffer.from(value, 'utf8')];
    return [...control(2, bytes.length), ...bytes];
  }
  if (typeof value === 'number') {
    const bytes: number[] = [];
    for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    // uint32 (6) for what fits, uint64 (9) beyond.
    return [...control(bytes.length > 4 ? 9 : 6, bytes.length), ...bytes];
  }
  if (Array.isArray(value)) return [...control(11, value.length), ...value.flatMap((item) => encode(item as Value))];
  const entries = Object.entries(value as Record<string, Value>);
  return [...control(7, entries.length), ...entries.flatMap(([k, v]) => [...encode(k), ...encode(v)])];
}

type Record24 = { kind: 'empty' } | { kind: 'node'; index: number } | { kind: 'data'; offset: number };

export function writeMmdb(networks: readonly { readonly cidr: string; readonly data: Value }[]): Buffer {
  const nodes: [Record24, Record24][] = [[{ kind: 'empty' }, { kind: 'empty' }]];
  const data: number[] = [];
  for (const network of networks) {
    const [address = '', bitsText = '32'] = network.cidr.split('/');
    const value = address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
    const bits = Number(bitsText);
    const offset = data.length;
    data.push(...encode(network.data));
    let node = 0;
    for (let depth = 0; depth < bits; depth++) {
      const bit = (value >>> (31 - depth)) & 1;
      const current = nodes[node] as [Record24, Record24];
      if (depth === bits - 1) {
        current[bit] = { kind: 'data', offset };
      } else {
        const next = current[bit] as Record24;
        if (next.kind === 'node') node = next.index;
        else {
          nodes.push([{ kind: 'empty' }, { kind: 'empty' }]);
          current[bit] = { kind: 'node', index: nodes.length - 1 };
          node = nodes.length - 1;
        }
      }
    }
  }
  const nodeCount = nodes.length;
  const recordValue = (record: Record24) => (record.kind === 'empty' ? nodeCount : record.kind === 'node' ? record.index : nodeCount + 16 + record.offset);
  const tree = nodes.flatMap(([left, right]) =>
    [left, right].flatMap((record) => {
      const v = recordValue(record);
      return [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
    }),
  );
  const metadata = encode({
    node_count: nodeCount,
    record_size: 24,
    ip_version: 4,
    database_type: 'GeoLite2-City',
    languages: ['de', 'en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_764_000_000,
    description: { en: 'Lifeline test database' },
  });
  return Buffer.concat([
    Buffer.from(tree),
    Buffer.alloc(16),
    Buffer.from(data),
    Buffer.from([0xab, 0xcd, 0xef]),
    Buffer.from('MaxMind.com'),
    Buffer.from(metadata),
  ]);
}

/** Writes the MMDB of `networks` (writeMmdb) as `name` into a fresh temporary directory; answers the file's path (for GEOIP_DB). */
export function writeMmdbFile(name: string, networks: readonly { readonly cidr: string; readonly data: Value }[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'lifeline-geoip-')), name);
  writeFileSync(file, writeMmdb(networks));
  return file;
}
