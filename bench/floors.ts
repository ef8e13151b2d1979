// Part of `npm run bench` (bench/report.ts): each measured operation's storage floor (issue 27), the calls
// it cannot do without while keeping its safety properties, beside what Kapı on Postgres + Redis sent.
// The floor is written by hand, call by call; `npm run bench:trace` (bench/trace-calls.ts) lists what one
// operation of each kind sends, request by request, to check it against.
//
// A floor counts commands and statements of one operation taken alone. Redis commands of one request that
// leave in the same turn go out in one write (ioredis auto-pipelining), so several commands can cost one
// round trip; SQL statements of concurrent token requests share one statement (group commit,
// adapters/storage/statement-batch.ts), so a measured SQL figure under load can be below the floor.

import type { ScenarioKey } from './options.js';

export interface Floor {
  redis: number;
  sql: number;
  /** What each call of the floor is for. */
  calls: string;
  /** What Kapı sends beyond the floor, and why it stays (empty when Kapı is at the floor). */
  above: string;
}

export const FLOORS: Partial<Record<ScenarioKey, Floor>> = {
  'cc-opaque': {
    redis: 1,
    sql: 0,
    calls:
      'Redis: the token record, which introspection and revocation must find (1). SQL: none (the institution is read from the process cache, which its owner invalidates over pub/sub).',
    above: '',
  },
  'cc-jwt': {
    redis: 0,
    sql: 0,
    calls: 'Nothing is stored: a JWT access token is checked by its signature, and bounded by its 600-s lifetime (DESIGN, "Endings").',
    above: '',
  },
  refresh: {
    redis: 2,
    sql: 3,
    calls:
      "SQL: the refresh token with its grant and its account (1 statement, joined; the account is kept for this request's findAccount only, read in the same request, so closed or banned accounts get nothing; the ID token's subject) (1), its single use (a conditional update: a replay finds it used and revokes the grant) (1), the rotated token (1): the single use and the rotated token stay two statements because oidc-provider awaits the consume before it builds the successor (bench/notes.md). Redis: the access token's record (1) and its entry in the grant's index, which the grant's revocation follows (1). The two Redis keys live in different Redis Cluster slots, so they are two commands, sent in one write (one round trip).",
    above: '',
  },
  login: {
    redis: 30,
    sql: 12,
    calls:
      "Per request of the six. /auth: the interaction (1 Redis). Sign-in page: read the interaction, save the flow with its CSRF token (2 Redis). Password POST: read the interaction (1); one point per guess counter, each its own one-key script in a fixed order (number's run, number's window, IP, identity-number block: 4); after the right password, clear the number's run, failures and delays and give back the IP's and block's points (5, one write); save the result (1); SQL: the account with its password (1), the second-stage enrolment (1), the sign-in record (1). Resume: read and delete the interaction (single use of its result, 2), the code and its grant index (2), the session, its uid index and the ended-session mark read after the write (issue 25, 3); SQL: the account (1), the remembered consent (1), the grant (1), the session index row (sign-out everywhere, 1). Token: read the code and use it once (2), the session by its uid (index and record, 2: a signed-out session issues nothing), the access token and its grant index (2); SQL: the grant (revocation, 1), the account (1). Userinfo: the access token (1), the session (2); SQL: the grant (1), the account (1), the claim-release record (1).",
    above: '',
  },
};
