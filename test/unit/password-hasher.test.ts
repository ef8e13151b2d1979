import { describe, expect, it } from '@jest/globals';
import * as argon2 from '@node-rs/argon2';
import type { Algorithm } from '@node-rs/argon2';
import {
  ARGON2_PARAMETERS,
  PasswordHasher,
  randomOfficePassword,
  rustArgon2,
  type Argon2Engine,
  type Argon2Parameters,
} from '../../src/accounts/password-hasher.js';

// The binding's const enums have no run-time object (see password-hasher.ts).
const ARGON2I = 1 as Algorithm;

/**
 * Written by node-argon2 0.45 (the engine of earlier versions) for 'mavi bisiklet ormanda' at the OWASP
 * parameters, in its own parameter order (m, p, t). Databases hold hashes like this one.
 */
const NODE_ARGON2_HASH = '$argon2id$v=19$m=19456,p=1,t=2$IBFbIPyeWS+0CvCjOgl4Tw$DVHSA+r3odcWddwy3AwFWPt7sPjHXuj8rDNrvYUCBic';

/** The real argon2, counting how many operations run at the same time. */
function countingEngine(): Argon2Engine & { maxInFlight: number; hashes: number; verifies: string[] } {
  let inFlight = 0;
  const engine = {
    maxInFlight: 0,
    hashes: 0,
    verifies: [] as string[],
    async hash(password: string, parameters: Argon2Parameters) {
      engine.hashes++;
      return track(() => rustArgon2.hash(password, parameters));
    },
    async verify(digest: string, password: string) {
      engine.verifies.push(digest);
      return track(() => rustArgon2.verify(digest, password));
    },
    needsRehash: rustArgon2.needsRehash,
  };
  async function track<T>(work: () => Promise<T>): Promise<T> {
    inFlight++;
    engine.maxInFlight = Math.max(engine.maxInFlight, inFlight);
    try {
      return await work();
    } finally {
      inFlight--;
    }
  }
  return engine;
}

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id at the OWASP parameters and verifies', async () => {
    const hash = await hasher.hash('mavi bisiklet ormanda');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(ARGON2_PARAMETERS).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    await expect(hasher.verify(hash, 'mavi bisiklet ormanda')).resolves.toBe(true);
    await expect(hasher.verify(hash, 'mavi bisiklet ormanda ')).resolves.toBe(false);
    await expect(hasher.verify(hash, 'Mavi bisiklet ormanda')).resolves.toBe(false);
  });

  it('verifies hashes stored by earlier versions, whatever the order of their parameters', async () => {
    await expect(hasher.verify(NODE_ARGON2_HASH, 'mavi bisiklet ormanda')).resolves.toBe(true);
    await expect(hasher.verify(NODE_ARGON2_HASH, 'mavi bisiklet')).resolves.toBe(false);
    expect(hasher.needsRehash(NODE_ARGON2_HASH)).toBe(false);
    const referenceOrder = NODE_ARGON2_HASH.replace('m=19456,p=1,t=2', 'm=19456,t=2,p=1');
    await expect(hasher.verify(referenceOrder, 'mavi bisiklet ormanda')).resolves.toBe(true);
    expect(hasher.needsRehash(referenceOrder)).toBe(false);
  });

  it('writes hashes that another argon2 reads (the hash of a known salt is the reference one)', async () => {
    // Same password, salt and parameters as NODE_ARGON2_HASH: the engine must produce the same digest.
    const salt = Buffer.from('IBFbIPyeWS+0CvCjOgl4Tw', 'base64');
    const again = await argon2.hash('mavi bisiklet ormanda', { ...ARGON2_PARAMETERS, salt });
    expect(again.split('$').at(-1)).toBe(NODE_ARGON2_HASH.split('$').at(-1));
  });

  it('salts every hash', async () => {
    expect(await hasher.hash('aynı parola')).not.toBe(await hasher.hash('aynı parola'));
  });

  it('treats composed and decomposed Turkish letters as the same password', async () => {
    const hash = await hasher.hash('şekerli çay');
    await expect(hasher.verify(hash, 's\u0327ekerli c\u0327ay')).resolves.toBe(true);
  });

  it.each(['', 'not a hash', '$argon2id$v=19$m=19456,t=2,p=1$broken', '$argon2id$', '$2b$10$abcdefghijklmnopqrstuv'])(
    'answers false for the malformed hash %j instead of throwing',
    async (malformed) => {
      await expect(hasher.verify(malformed, 'anything')).resolves.toBe(false);
    },
  );

  it('tells when a hash needs rehashing', async () => {
    expect(hasher.needsRehash(await hasher.hash('mavi bisiklet ormanda'))).toBe(false);
    const weaker = await rustArgon2.hash('mavi bisiklet ormanda', { memoryCost: 8192, timeCost: 2, parallelism: 1 });
    expect(hasher.needsRehash(weaker)).toBe(true);
    expect(hasher.needsRehash(await rustArgon2.hash('mavi bisiklet ormanda', { ...ARGON2_PARAMETERS, timeCost: 3 }))).toBe(true);
    const argon2i = await argon2.hash('mavi bisiklet ormanda', { algorithm: ARGON2I, ...ARGON2_PARAMETERS });
    expect(argon2i).toMatch(/^\$argon2i\$/);
    expect(hasher.needsRehash(argon2i)).toBe(true);
    expect(hasher.needsRehash(NODE_ARGON2_HASH.replace('v=19', 'v=16'))).toBe(true);
    expect(hasher.needsRehash('garbage')).toBe(true);
    expect(hasher.needsRehash('$argon2id$garbage')).toBe(true);
  });

  it('never runs more argon2 operations at once than its concurrency', async () => {
    const engine = countingEngine();
    const gated = new PasswordHasher({ concurrency: 2, engine });
    const hashes = await Promise.all(Array.from({ length: 6 }, (_, i) => gated.hash(`parola ${i}`)));
    const results = await Promise.all(hashes.map((hash, i) => gated.verify(hash, `parola ${i}`)));
    expect(results).toEqual([true, true, true, true, true, true]);
    expect(engine.maxInFlight).toBe(2);

    const single = countingEngine();
    const serial = new PasswordHasher({ concurrency: 1, engine: single });
    await Promise.all(Array.from({ length: 4 }, (_, i) => serial.hash(`parola ${i}`)));
    expect(single.maxInFlight).toBe(1);
  });

  it('runs queued operations first in, first out', async () => {
    const started: string[] = [];
    const release: Array<() => void> = [];
    const engine: Argon2Engine = {
      hash: (password) =>
        new Promise((resolve) => {
          started.push(password);
          release.push(() => resolve(`hash of ${password}`));
        }),
      verify: async () => false,
      needsRehash: () => false,
    };
    const gated = new PasswordHasher({ concurrency: 1, engine });
    const all = Promise.all(['a', 'b', 'c', 'd'].map((p) => gated.hash(p)));
    for (let i = 0; i < 4; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(started).toHaveLength(i + 1);
      release[i]!();
    }
    await expect(all).resolves.toEqual(['hash of a', 'hash of b', 'hash of c', 'hash of d']);
    expect(started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('frees its slot when an operation fails', async () => {
    let calls = 0;
    const engine: Argon2Engine = {
      hash: async () => {
        calls++;
        if (calls === 1) throw new Error('boom');
        return '$argon2id$ok';
      },
      verify: async () => {
        throw new Error('boom');
      },
      needsRehash: () => false,
    };
    const gated = new PasswordHasher({ concurrency: 1, engine });
    await expect(gated.hash('x')).rejects.toThrow('boom');
    await expect(gated.verify('$argon2id$x', 'x')).resolves.toBe(false);
    await expect(gated.hash('y')).resolves.toBe('$argon2id$ok');
  });

  it('rejects a concurrency that is not a positive integer', () => {
    expect(() => new PasswordHasher({ concurrency: 0 })).toThrow();
    expect(() => new PasswordHasher({ concurrency: 1.5 })).toThrow();
  });

  it('spends a real verify on dummyVerify, against one hash computed once', async () => {
    const engine = countingEngine();
    const timed = new PasswordHasher({ engine });
    await expect(timed.dummyVerify()).resolves.toBe(false);
    await expect(timed.dummyVerify()).resolves.toBe(false);
    expect(engine.hashes).toBe(1);
    expect(engine.verifies).toHaveLength(2);
    expect(engine.verifies[0]).toBe(engine.verifies[1]);
    expect(engine.verifies[0]).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    // The same work as a real account's verify: argon2's cost is set by the parameters in the hash, and
    // the dummy hash carries a real hash's (no stopwatch here: a timed ratio failed CI on a busy machine;
    // the time itself is the benchmark's to measure).
    const real = await timed.hash('mavi bisiklet ormanda');
    const parameters = (hash: string) => hash.split('$').slice(1, 4).join('$');
    expect(parameters(engine.verifies[0]!)).toBe(parameters(real));
  });
});

describe('randomOfficePassword', () => {
  it('gives 10 characters from the unambiguous alphabet, different each time', () => {
    const passwords = Array.from({ length: 200 }, () => randomOfficePassword());
    for (const password of passwords) expect(password).toMatch(/^[2-9A-HJKMNP-Za-hjkmnp-z]{10}$/);
    expect(new Set(passwords).size).toBe(passwords.length);
    expect(passwords.join('')).not.toMatch(/[01OoIilL]/);
  });
});
