// The measured person's own history on the empty database (data growth, issue 24 point 1). On the grown
// database the benchmark measures a generated heavy citizen: about 1,000 sign-ins, 500 claim releases to
// 50 institutions, consents to all 50, 100 registrar issuances. Her pages are longer than a demo
// citizen's whatever the size of the database, so on the empty database the demo citizen the scenarios
// use is given a history of the same shape (and nobody else has one): the ratio then measures what the
// other millions of rows cost her, not the length of her own pages.

import pg from 'pg';
import { GROWTH_INSTITUTIONS } from './fill.js';

export const PERSON_HISTORY = { signIns: 1_000, claimReleases: 500, auditEvents: 500, issuances: 100, days: 800 };

/** Gives the account with `nationalId` the history of a heavy generated citizen; the offices it uses are made if missing. */
export async function seedPersonHistory(url: string, nationalId: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const h = PERSON_HISTORY;
    const at = (g: string, total: number) => `now() - make_interval(secs => (${total}::float8 - ${g}) / ${total} * ${h.days} * 86400)`;
    const inst = (g: string) => `'growth-inst-' || lpad((1 + (${g}) % ${GROWTH_INSTITUTIONS})::text, 2, '0')`;
    await client.query('begin');
    const { rows } = await client.query<{ id: string }>('select id from accounts where national_id = $1', [nationalId]);
    const id = rows[0]?.id;
    if (!id) throw new Error(`no account ${nationalId} to give a history`);
    await client.query(
      `insert into sign_ins (at, account_id, client_id, method, acr, result, ip, user_agent)
       select ${at('g', h.signIns)}, $1, case when g % 10 < 7 then ${inst('g')} end, 'password', 'substantial', 'success', '10.0.0.1', 'Mozilla/5.0'
         from generate_series(1, ${h.signIns}) g`,
      [id],
    );
    await client.query(
      `insert into claim_releases (at, account_id, client_id, claims, channel)
       select ${at('g', h.claimReleases)}, $1, ${inst('g')}, array['sub','given_name','family_name'], 'userinfo' from generate_series(1, ${h.claimReleases}) g`,
      [id],
    );
    await client.query(
      `insert into audit_events (at, type, account_id, actor) select ${at('g', h.auditEvents)}, 'consent.granted', $1, 'citizen' from generate_series(1, ${h.auditEvents}) g`,
      [id],
    );
    await client.query(
      `insert into consents (account_id, client_id, scopes, claims) select $1, ${inst('g')}, array['openid','profile'], array['sub'] from generate_series(0, ${GROWTH_INSTITUTIONS - 1}) g
         on conflict do nothing`,
      [id],
    );
    // Her issuances spread over offices, as a heavy citizen's are over the template's 1,000.
    const office = (g: string) => `'GROWTH-' || lpad((${g})::text, 4, '0')`;
    await client.query(
      `insert into registrar_offices (code, name, kind) select ${office('g')}, 'Büyüme Şubesi ' || g, 'ptt' from generate_series(1, ${h.issuances}) g on conflict do nothing`,
    );
    await client.query(
      `insert into registrar_issuances (id, account_id, office_code, staff_account_id, staff_via, channel, documents, fee_kurus, at)
       select md5('person-issuance-' || g)::uuid, $1, ${office('g')}, md5('growth-staff-' || g)::uuid, 'api', 'self', '[{"type":"identity_card","number":"A12B34567"}]'::jsonb, 0, ${at('g', h.issuances)}
         from generate_series(1, ${h.issuances}) g`,
      [id],
    );
    await client.query('commit');
    await client.query('analyze');
  } finally {
    await client.end();
  }
}
