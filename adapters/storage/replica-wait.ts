import { Cluster, type Redis } from 'ioredis';
import { KapiError } from '../../src/errors.js';

/**
 * With Redis replicas configured, a write that must survive a failover waits until that many replicas
 * have it (`WAIT`): single-use writes (a code's or a state entry's consumption), ended sessions' marks
 * and limit points. A write the replicas did not confirm in time is treated as an outage: the request
 * answers 503 and nothing that depends on the write goes ahead (DESIGN.md, third round, "Replicated
 * Redis"; docs/architecture.md "Replicated Redis").
 *
 * WAIT counts the replicas that acknowledged every write sent earlier on the same connection, so it is
 * sent on the connection that made the write: the one client of the process (Sentinel: the primary's
 * connection), or on a Cluster the connection to the master owning the written key's slot. While WAIT
 * blocks, later commands on that connection queue behind it: normally one replica round trip.
 */
export interface ReplicaWait {
  replicas: number;
  timeoutMs: number;
}

export async function waitForReplicas(redis: Redis | Cluster, wait: ReplicaWait | undefined, key: string): Promise<void> {
  if (!wait || wait.replicas <= 0) return;
  let acknowledged: number;
  try {
    acknowledged = await connectionFor(redis, key).wait(wait.replicas, wait.timeoutMs);
  } catch (err) {
    throw new KapiError('storage_unavailable', 'Redis did not answer the replica wait', {}, { cause: err });
  }
  if (acknowledged < wait.replicas) {
    throw new KapiError('storage_unavailable', `only ${acknowledged} of ${wait.replicas} Redis replicas confirmed the write within ${wait.timeoutMs} ms`);
  }
}

function connectionFor(redis: Redis | Cluster, key: string): Redis {
  if (!(redis instanceof Cluster)) return redis;
  const owner = redis.slots[keySlot(key)]?.[0];
  const node = owner && redis.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
  if (!node) throw new KapiError('storage_unavailable', 'no Redis Cluster master known for the written key');
  return node;
}

/** Redis Cluster's hash slot of a key: CRC16 (XMODEM) of its {hash tag}, or of the whole key, mod 16384. */
export function keySlot(key: string): number {
  const bytes = Buffer.from(key);
  const open = bytes.indexOf(0x7b); // {
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1); // }
    if (close > open + 1) return crc16(bytes.subarray(open + 1, close)) % 16384;
  }
  return crc16(bytes) % 16384;
}

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
