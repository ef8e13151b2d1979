// The data-growth database's rows (issue 24 point 1): a nation's worth of accounts and history, written
// by Postgres itself with INSERT ... SELECT over generate_series (bulk: one statement per table, no row
// crosses the wire). Every figure scales with `scale` (1 = 1,000,000 accounts, 10,000,000 sign-ins).
//
// Distributions: history spans 800 days (so the 730-day retention has about 9% to purge) and row ids
// grow with time, as they do in production. 90% of the rows fall uniformly over every account; 10% on
// HEAVY accounts (about 1,000 sign-ins each whatever the scale): the benchmark measures those citizens,
// the ones whose pages would slow first.

/** Passwords of the generated citizens: account k has PASSWORDS[k % PASSWORDS.length]. */
export const GROWTH_PASSWORDS = ['Buyume-Parola-1-2026', 'Buyume-Parola-2-2026', 'Buyume-Parola-3-2026', 'Buyume-Parola-4-2026'];
/** Institutions (clients) that the history names; registered through Kapı's services, not by SQL. */
export const GROWTH_INSTITUTIONS = 50;
export const institutionId = (n: number) => `growth-inst-${String(n).padStart(2, '0')}`;
/** Days of history generated. */
export const HISTORY_DAYS = 800;

export interface GrowthSizes {
  accounts: number;
  heavy: number; // accounts with a large history, numbered 1..heavy
  signIns: number;
  claimReleases: number;
  auditEvents: number;
  loginSessions: number;
  oidcModels: number;
  issuances: number;
  cancellations: number;
  offices: number;
}

export function growthSizes(scale: number): GrowthSizes {
  const n = (x: number) => Math.max(1, Math.round(x * scale));
  return {
    accounts: n(1_000_000),
    heavy: n(1_000),
    signIns: n(10_000_000),
    claimReleases: n(5_000_000),
    auditEvents: n(5_000_000),
    loginSessions: n(1_000_000),
    oidcModels: n(1_000_000),
    issuances: n(1_000_000),
    cancellations: n(100_000),
    offices: 1_000,
  };
}

/** The id of generated account k (1-based): the same in SQL and here, so no lookup is needed. */
export const ACCOUNT_ID_SQL = (k: string) => `md5('kapi-growth-account-' || (${k}))::uuid`;
/** The national id of generated account k: nine digits 2xxxxxxxx (no demo citizen starts with 2) and the checksum. */
export function growthNationalId(k: number): string {
  const first = Array.from(String(200_000_000 + k), Number);
  const odd = first[0]! + first[2]! + first[4]! + first[6]! + first[8]!;
  const even = first[1]! + first[3]! + first[5]! + first[7]!;
  const tenth = (((odd * 7 - even) % 10) + 10) % 10;
  const eleventh = (odd + even + tenth) % 10;
  return `${first.join('')}${tenth}${eleventh}`;
}

/**
 * The statements, in order, each one bulk. `hashes` are argon2id PHC strings of GROWTH_PASSWORDS
 * (computed once: hashing a million passwords would take hours and measure nothing).
 */
export function fillStatements(scale: number, hashes: string[]): Array<{ what: string; sql: string }> {
  const s = growthSizes(scale);
  const acct = ACCOUNT_ID_SQL;
  // An account number, 10% among the heavy ones. `r1`, `r2` are random() columns of the row.
  const pick = (r1: string, r2: string) => `(case when ${r1} < 0.1 then 1 + floor(${r2} * ${s.heavy})::int else 1 + floor(${r2} * ${s.accounts})::int end)`;
  // A moment in the history, growing with g over `total` rows (ids follow time), jittered by a minute.
  const at = (g: string, total: number) => `now() - make_interval(secs => (${total}::float8 - ${g}) / ${total} * ${HISTORY_DAYS} * 86400 + random() * 60)`;
  const inst = (r: string) => `'growth-inst-' || lpad((1 + floor(power(${r}, 2) * ${GROWTH_INSTITUTIONS}))::int::text, 2, '0')`;
  const quoted = hashes.map((h) => `'${h.replace(/'/g, "''")}'`).join(', ');
  return [
    {
      what: 'helper: national id with its check digits',
      sql: `create or replace function pg_temp.growth_national_id(k int) returns text language sql immutable as $$
        with d as (select (200000000 + k)::text as n),
        x as (select n, substr(n,1,1)::int + substr(n,3,1)::int + substr(n,5,1)::int + substr(n,7,1)::int + substr(n,9,1)::int as odd,
                        substr(n,2,1)::int + substr(n,4,1)::int + substr(n,6,1)::int + substr(n,8,1)::int as even from d),
        t as (select n, odd, even, (((odd * 7 - even) % 10) + 10) % 10 as tenth from x)
        select n || tenth::text || ((odd + even + tenth) % 10)::text from t $$`,
    },
    {
      what: `${s.accounts.toLocaleString('en-US')} accounts`,
      sql: `insert into accounts (id, national_id, national_id_type, given_name, family_name, birthdate, created_at, updated_at)
        select ${acct('g')}, pg_temp.growth_national_id(g), 'citizen',
               (array['Ayşe','Mehmet','Fatma','Mustafa','Emine','Ahmet','Hatice','Ali','Zeynep','Hüseyin'])[1 + g % 10],
               (array['Yılmaz','Kaya','Demir','Şahin','Çelik','Yıldız','Yıldırım','Öztürk','Aydın','Özdemir'])[1 + (g / 10) % 10],
               date '1940-01-01' + (g % 25000), now() - interval '3 years', now() - interval '3 years'
          from generate_series(1, ${s.accounts}) g`,
    },
    {
      what: 'password credentials (a few precomputed argon2id hashes)',
      sql: `insert into password_credentials (account_id, hash, must_change, origin, updated_at)
        select ${acct('g')}, (array[${quoted}])[1 + g % ${hashes.length}], false, 'self', now() - interval '1 year'
          from generate_series(1, ${s.accounts}) g`,
    },
    {
      what: `${s.signIns.toLocaleString('en-US')} sign-ins`,
      sql: `insert into sign_ins (at, account_id, subject_hash, client_id, method, acr, result, ip, user_agent)
        select ${at('g', s.signIns)},
               case when r3 < 0.02 then null else ${acct(pick('r1', 'r2'))} end,
               case when r3 < 0.02 then md5(g::text) || md5(g::text) end,
               case when r4 < 0.7 then ${inst('r5')} end,
               case when r4 < 0.9 then 'password' when r4 < 0.97 then 'e-devlet-bank' else 'mobile-signature' end,
               case when r3 < 0.1 then null when r4 < 0.97 then 'substantial' else 'high' end,
               case when r3 < 0.1 then 'bad_password' else 'success' end,
               '10.' || (g % 250) || '.' || (g / 250 % 250) || '.' || (g / 62500 % 250),
               (array['Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/146.0','Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Safari/604.1','Mozilla/5.0 (Linux; Android 15) Chrome/143.0 Mobile'])[1 + g % 3]
          from (select g, random() r1, random() r2, random() r3, random() r4, random() r5 from generate_series(1, ${s.signIns}) g) q`,
    },
    {
      what: `${s.claimReleases.toLocaleString('en-US')} claim releases`,
      sql: `insert into claim_releases (at, account_id, client_id, claims, channel)
        select ${at('g', s.claimReleases)}, ${acct(pick('r1', 'r2'))}, ${inst('r3')},
               case when r4 < 0.5 then array['sub','given_name','family_name'] else array['sub','given_name','family_name','national_id','birthdate'] end,
               case when r4 < 0.6 then 'userinfo' when r4 < 0.95 then 'id_token' else 'introspection' end
          from (select g, random() r1, random() r2, random() r3, random() r4 from generate_series(1, ${s.claimReleases}) g) q`,
    },
    {
      what: `${s.auditEvents.toLocaleString('en-US')} audit events`,
      sql: `insert into audit_events (at, type, account_id, client_id, actor, ip, detail)
        select ${at('g', s.auditEvents)},
               (array['consent.granted','password.changed','contact.verified','session.ended','second_factor.enabled','sign_in.not_me'])[1 + floor(r3 * 6)::int],
               ${acct(pick('r1', 'r2'))}, case when r3 < 0.3 then ${inst('r4')} end, 'citizen', '10.0.' || (g % 250) || '.1',
               jsonb_build_object('n', g % 97)
          from (select g, random() r1, random() r2, random() r3, random() r4 from generate_series(1, ${s.auditEvents}) g) q`,
    },
    {
      what: 'consents (every account one, the heavy ones every institution)',
      sql: `insert into consents (account_id, client_id, scopes, claims, granted_at)
        select ${acct('g')}, 'growth-inst-' || lpad((1 + g % ${GROWTH_INSTITUTIONS})::text, 2, '0'), array['openid','profile'], array['sub','given_name','family_name'], now() - make_interval(days => g % ${HISTORY_DAYS})
          from generate_series(1, ${s.accounts}) g
        union all
        select ${acct('a')}, 'growth-inst-' || lpad(i::text, 2, '0'), array['openid','profile','national_id'], array['sub','national_id'], now() - make_interval(days => (a * i) % ${HISTORY_DAYS})
          from generate_series(1, ${s.heavy}) a, generate_series(1, ${GROWTH_INSTITUTIONS}) i
         where i <> 1 + a % ${GROWTH_INSTITUTIONS}`,
    },
    {
      what: `${s.loginSessions.toLocaleString('en-US')} login sessions`,
      sql: `insert into login_sessions (uid, account_id, methods, acr, amr, signed_in_at, created_at, expires_at, ip, user_agent, ended_at, end_reason)
        select 'growth-' || g, ${acct(pick('r1', 'r2'))}, array['password'], 'substantial', array['pwd'], t, t, t + interval '8 hours', '10.1.' || (g % 250) || '.1', 'Mozilla/5.0',
               case when r3 < 0.5 then t + interval '1 hour' end, case when r3 < 0.5 then 'logout' end
          from (select g, random() r1, random() r2, random() r3, ${at('g', s.loginSessions)} t from generate_series(1, ${s.loginSessions}) g) q`,
    },
    {
      what: `${s.oidcModels.toLocaleString('en-US')} grants and refresh tokens (a sixth expired)`,
      sql: `insert into oidc_models (model, id, payload, grant_id, expires_at)
        select case when g % 2 = 0 then 'Grant' else 'RefreshToken' end, encode(sha256(('growth-model-' || g)::bytea), 'hex'),
               jsonb_build_object('accountId', ${acct(pick('r1', 'r2'))}::text, 'clientId', ${inst('r3')}, 'kind', case when g % 2 = 0 then 'Grant' else 'RefreshToken' end),
               encode(sha256(('growth-grant-' || (g / 2))::bytea), 'hex'),
               now() - interval '10 days' + r4 * interval '60 days'
          from (select g, random() r1, random() r2, random() r3, random() r4 from generate_series(1, ${s.oidcModels}) g) q`,
    },
    {
      what: `${s.offices} registrar offices`,
      sql: `insert into registrar_offices (code, name, kind) select 'GROWTH-' || lpad(g::text, 4, '0'), 'Büyüme Şubesi ' || g, (array['ptt','turksat','consulate'])[1 + g % 3] from generate_series(1, ${s.offices}) g`,
    },
    {
      what: `${s.issuances.toLocaleString('en-US')} registrar issuances`,
      sql: `insert into registrar_issuances (id, account_id, office_code, staff_account_id, staff_via, channel, documents, fee_kurus, at)
        select md5('growth-issuance-' || g)::uuid, ${acct(pick('r1', 'r2'))}, 'GROWTH-' || lpad((1 + floor(r3 * ${s.offices}))::int::text, 4, '0'),
               md5('growth-staff-' || (g % 5000))::uuid, 'api', 'self', '[{"type":"identity_card","number":"A12B34567"}]'::jsonb, 0, ${at('g', s.issuances)}
          from (select g, random() r1, random() r2, random() r3 from generate_series(1, ${s.issuances}) g) q`,
    },
    {
      what: `${s.cancellations.toLocaleString('en-US')} registrar cancellations`,
      sql: `insert into registrar_cancellations (id, account_id, office_code, staff_account_id, staff_via, channel, documents, at)
        select md5('growth-cancellation-' || g)::uuid, ${acct(pick('r1', 'r2'))}, 'GROWTH-' || lpad((1 + floor(r3 * ${s.offices}))::int::text, 4, '0'),
               md5('growth-staff-' || (g % 5000))::uuid, 'api', 'self', '[{"type":"identity_card","number":"A12B34567"}]'::jsonb, ${at('g', s.cancellations)}
          from (select g, random() r1, random() r2, random() r3 from generate_series(1, ${s.cancellations}) g) q`,
    },
  ];
}
