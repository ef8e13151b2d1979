import type { Knex } from 'knex';
import type { Enrolment } from '../../interactions/second-factor/devices/enrolment.js';
import { fixedStatement, runFixed } from '../storage/fixed-sql.js';

// A person's second-stage enrolment in one statement (issue 27): a registered device (device-registry.ts's
// hasAny) and an active e-Government Key (totp-store.ts's isActive), both by account id.
const ENROLMENT = fixedStatement(
  'second_stage_enrolment',
  `select exists(select 1 from registered_devices where account_id = ?) as device,
  exists(select 1 from totp_credentials where account_id = ? and active) as totp`,
);

export async function readEnrolment(db: Knex, accountId: string): Promise<Enrolment> {
  const [row] = await runFixed<{ device: boolean; totp: boolean }>(db, ENROLMENT, [accountId, accountId]);
  return { device: row?.device === true, totp: row?.totp === true };
}
