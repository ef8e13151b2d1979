import type { Redis } from 'ioredis';
import { KapiError } from '../../src/errors.js';

/**
 * With Redis replicas configured, a write that must survive a failover (an ended session's mark) waits
 * until that many replicas have it (`WAIT`). A write the replicas did not confirm in time is treated as
 * an outage: the request answers 503 and nothing that depends on the write goes ahead (DESIGN.md,
 * third round, "Replicated Redis").
 */
export interface ReplicaWait {
  replicas: number;
  timeoutMs: number;
}

export async function waitForReplicas(redis: Redis, wait: ReplicaWait | undefined): Promise<void> {
  if (!wait || wait.replicas <= 0) return;
  const acknowledged = await redis.wait(wait.replicas, wait.timeoutMs);
  if (acknowledged < wait.replicas) {
    throw new KapiError('storage_unavailable', `only ${acknowledged} of ${wait.replicas} Redis replicas confirmed the write within ${wait.timeoutMs} ms`);
  }
}
