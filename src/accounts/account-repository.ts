import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Account, PasswordCredential, PasswordResetMethod, PhoneVerificationLevel, PostalAddress } from './account.js';
import type { NationalIdType } from '../identity/national-id.js';
import { fixedStatement, runFixed } from '../../adapters/storage/fixed-sql.js';
import { batcherFor, type BatchShape, jsonList } from '../../adapters/storage/statement-batch.js';
import { takeAccountForRequest } from '../../adapters/storage/request-reads.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface AccountRow {
  id: string;
  national_id: string;
  national_id_type: NationalIdType;
  given_name: string;
  family_name: string;
  birthdate: string | Date | null;
  email: string | null;
  email_verified: boolean;
  phone: string | null;
  phone_verified: boolean;
  address: PostalAddress | null;
  password_login_enabled: boolean;
  bank_login_enabled: boolean;
  two_factor_enabled?: boolean;
  phone_verified_acr?: PhoneVerificationLevel | null;
  password_reset_method?: PasswordResetMethod;
}

function isoDate(value: string | Date | null): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value.slice(0, 10);
  // pg returns DATE as a local-midnight Date; format in local time so the day does not shift.
  const y = value.getFullYear();
  const m = String(value.getMonth() + 1).padStart(2, '0');
  const d = String(value.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    nationalId: row.national_id,
    nationalIdType: row.national_id_type,
    givenName: row.given_name,
    familyName: row.family_name,
    birthdate: isoDate(row.birthdate),
    email: row.email,
    emailVerified: row.email_verified,
    phone: row.phone,
    phoneVerified: row.phone_verified,
    address: row.address,
    passwordLoginEnabled: row.password_login_enabled,
    bankLoginEnabled: row.bank_login_enabled,
    twoFactorEnabled: row.two_factor_enabled ?? false,
    phoneVerifiedAcr: row.phone_verified_acr ?? null,
    passwordResetMethod: row.password_reset_method ?? 'phone',
  };
}

/** A contact kind of the contact options. */
export type ContactKind = 'phone' | 'email';

/** Contacts waiting for their codes beside the verified ones (migrations/012_pending_contacts.ts). */
export interface PendingContacts {
  phone: string | null;
  phoneAt: Date | null;
  email: string | null;
  emailAt: Date | null;
}

export type NewAccount = Omit<Account, 'id' | 'emailVerified' | 'phoneVerified' | 'passwordLoginEnabled' | 'bankLoginEnabled'> &
  Partial<Pick<Account, 'emailVerified' | 'phoneVerified' | 'passwordLoginEnabled' | 'bankLoginEnabled'>>;

/** What a population-registry record gives an account (the registry port's shape, structurally). */
export interface RegisteredPerson {
  nationalId: string;
  type: NationalIdType;
  givenName: string;
  familyName: string;
  birthdate: string;
  address?: PostalAddress | undefined;
}

/** A new account's fields from a registry record; contacts start empty unless given. */
export function accountFromPerson(
  person: RegisteredPerson,
  contacts: Partial<Pick<Account, 'email' | 'emailVerified' | 'phone' | 'phoneVerified'>> = {},
): NewAccount {
  return {
    nationalId: person.nationalId,
    nationalIdType: person.type,
    givenName: person.givenName,
    familyName: person.familyName,
    birthdate: person.birthdate,
    address: person.address ?? null,
    email: contacts.email ?? null,
    phone: contacts.phone ?? null,
    ...contacts,
  };
}

// Fixed SQL, sent past knex's runner on Postgres (fixed-sql.ts): it runs on every token and userinfo
// request (issue 8).
//
// ACCOUNT_COLUMNS are what toAccount reads. A refresh token's read brings its account along with the same
// columns (adapters/storage/oidc-postgres.ts), so the account of a refresh grant costs no statement of its own.
export const ACCOUNT_COLUMNS = `id, national_id, national_id_type, given_name, family_name, birthdate,
  email, email_verified, phone, phone_verified, address, password_login_enabled, bank_login_enabled, two_factor_enabled,
  phone_verified_acr, password_reset_method`;
const FIND_BY_ID = fixedStatement('account_by_id', `select ${ACCOUNT_COLUMNS} from accounts where id = ? limit 1`);
// The same for the accounts of requests that ask in the same turn of the event loop (statement-batch.ts).
const FIND_MANY_BY_ID = fixedStatement(
  'accounts_by_id',
  `select ${ACCOUNT_COLUMNS} from accounts where id = any(array(select jsonb_array_elements_text(?::jsonb)::uuid))`,
);

// The password method's one read: the account of a typed number and its password, if it has one.
const WITH_PASSWORD_BY_NATIONAL_ID = fixedStatement(
  'account_with_password',
  `select a.id, a.national_id, a.national_id_type,
  a.given_name, a.family_name, a.birthdate, a.email, a.email_verified, a.phone, a.phone_verified, a.address,
  a.password_login_enabled, a.bank_login_enabled, a.two_factor_enabled, a.phone_verified_acr, a.password_reset_method,
  p.hash as password_hash, p.must_change as password_must_change, p.origin as password_origin
  from accounts a left join password_credentials p on p.account_id = a.id where a.national_id = ? limit 1`,
);

interface AccountWithPasswordRow extends AccountRow {
  password_hash: string | null;
  password_must_change: boolean | null;
  password_origin: PasswordCredential['origin'] | null;
}

const findByIdShape: BatchShape<string, AccountRow | undefined> = {
  name: 'account_by_id',
  async many(db, ids) {
    const rows = new Map((await runFixed<AccountRow>(db, FIND_MANY_BY_ID, [jsonList(ids)])).map((r) => [r.id, r]));
    return ids.map((id) => rows.get(id));
  },
  async one(db, id) {
    return (await runFixed<AccountRow>(db, FIND_BY_ID, [id]))[0];
  },
};

export class AccountRepository {
  constructor(private readonly db: Knex) {}

  async findById(id: string): Promise<Account | undefined> {
    // A malformed id is simply nobody (the column is a uuid and Postgres would refuse the comparison).
    if (!UUID.test(id)) return undefined;
    // Postgres answers uuids in lower case; the batch matches its rows by id.
    const row = await batcherFor(this.db, findByIdShape).run(id.toLowerCase());
    return row ? toAccount(row) : undefined;
  }

  /**
   * The account of oidc-provider's findAccount: the one read in this request's refresh-token statement
   * when there is one (request-reads.ts: this request only, taken once, no staler than this request),
   * otherwise read now.
   */
  async findByIdInRequest(id: string): Promise<Account | undefined> {
    const row = takeAccountForRequest(id) as AccountRow | undefined;
    if (row && row.id === id.toLowerCase()) return toAccount(row);
    return this.findById(id);
  }

  async findByNationalId(nationalId: string): Promise<Account | undefined> {
    const row = await this.db<AccountRow>('accounts').where({ national_id: nationalId }).first();
    return row ? toAccount(row) : undefined;
  }

  /** The account holding a number and its password credential (undefined when it has none), in one statement. */
  async findWithPasswordByNationalId(nationalId: string): Promise<{ account: Account; credential: PasswordCredential | undefined } | undefined> {
    const [row] = await runFixed<AccountWithPasswordRow>(this.db, WITH_PASSWORD_BY_NATIONAL_ID, [nationalId]);
    if (!row) return undefined;
    const credential: PasswordCredential | undefined =
      row.password_hash === null
        ? undefined
        : { accountId: row.id, hash: row.password_hash, mustChange: row.password_must_change === true, origin: row.password_origin! };
    return { account: toAccount(row), credential };
  }

  async create(account: NewAccount, trx: Knex = this.db): Promise<Account> {
    const id = randomUUID();
    const [row] = await trx<AccountRow>('accounts')
      .insert({
        id,
        national_id: account.nationalId,
        national_id_type: account.nationalIdType,
        given_name: account.givenName,
        family_name: account.familyName,
        birthdate: account.birthdate,
        email: account.email,
        email_verified: account.emailVerified ?? false,
        phone: account.phone,
        phone_verified: account.phoneVerified ?? false,
        ...(account.phoneVerifiedAcr ? { phone_verified_acr: account.phoneVerifiedAcr } : {}),
        address: account.address ? (JSON.stringify(account.address) as unknown as PostalAddress) : null,
        password_login_enabled: account.passwordLoginEnabled ?? true,
        bank_login_enabled: account.bankLoginEnabled ?? true,
      })
      .returning('*');
    return toAccount(row as AccountRow);
  }

  /**
   * Opens or closes password login (the person's security settings). Atomic compare-and-set: true
   * only when this call changed the value, so a double submit records and notifies once.
   */
  async setPasswordLoginEnabled(accountId: string, enabled: boolean, trx: Knex = this.db): Promise<boolean> {
    return this.#setFlag(trx, accountId, 'password_login_enabled', enabled);
  }

  /** Blocks or unblocks online-banking login (access restrictions); true when this call changed it. */
  async setBankLoginEnabled(accountId: string, enabled: boolean, trx: Knex = this.db): Promise<boolean> {
    return this.#setFlag(trx, accountId, 'bank_login_enabled', enabled);
  }

  /** Turns two-factor authentication on or off; true when this call changed it (issue 7). */
  async setTwoFactorEnabled(accountId: string, enabled: boolean, trx: Knex = this.db): Promise<boolean> {
    return this.#setFlag(trx, accountId, 'two_factor_enabled', enabled);
  }

  async #setFlag(
    trx: Knex,
    accountId: string,
    column: 'password_login_enabled' | 'bank_login_enabled' | 'two_factor_enabled',
    enabled: boolean,
  ): Promise<boolean> {
    if (!UUID.test(accountId)) return false;
    const changed = await trx('accounts')
      .where({ id: accountId })
      .andWhereNot(column, enabled)
      .update({ [column]: enabled, updated_at: trx.fn.now() }, ['id']);
    return changed.length === 1;
  }

  /**
   * Records a mobile phone or e-mail address (contact options). `verifiedAcr` present: verified now,
   * in a session of that level; absent: recorded unverified (a code is on its way). Each contact
   * replaces the previous one of its kind.
   */
  async setPhone(accountId: string, phone: string | null, verifiedAcr?: PhoneVerificationLevel, trx: Knex = this.db): Promise<void> {
    await trx('accounts')
      .where({ id: accountId })
      .update({
        phone,
        phone_verified: Boolean(phone && verifiedAcr),
        phone_verified_acr: phone && verifiedAcr ? verifiedAcr : null,
        phone_verified_at: phone && verifiedAcr ? trx.fn.now() : null,
        updated_at: trx.fn.now(),
      });
  }

  async setEmail(accountId: string, email: string | null, verified: boolean, trx: Knex = this.db): Promise<void> {
    await trx('accounts')
      .where({ id: accountId })
      .update({
        email,
        email_verified: Boolean(email && verified),
        email_verified_at: email && verified ? trx.fn.now() : null,
        updated_at: trx.fn.now(),
      });
  }

  /**
   * The verified phone and e-mail whose verification was at or after `since` ("This wasn't me": whoever
   * made that sign-in may have put his own there, and reset codes, the SMS second factor and notices
   * would go to him).
   */
  async contactsVerifiedSince(accountId: string, since: Date, trx: Knex = this.db): Promise<ContactKind[]> {
    const row = (await trx('accounts').where({ id: accountId }).first('phone_verified', 'phone_verified_at', 'email_verified', 'email_verified_at')) as
      | { phone_verified: boolean; phone_verified_at: Date | null; email_verified: boolean; email_verified_at: Date | null }
      | undefined;
    if (!row) return [];
    const from = since.getTime();
    const kinds: ContactKind[] = [];
    if (row.phone_verified && row.phone_verified_at && new Date(row.phone_verified_at).getTime() >= from) kinds.push('phone');
    if (row.email_verified && row.email_verified_at && new Date(row.email_verified_at).getTime() >= from) kinds.push('email');
    return kinds;
  }

  /**
   * Removes the verified contacts of `kinds` whose verification was at or after `since` (compare on the
   * time, in the caller's transaction); without a verified e-mail the reset method goes back to phone
   * only. Answers the kinds removed.
   */
  async dropContactsVerifiedSince(accountId: string, since: Date, kinds: readonly ContactKind[], trx: Knex = this.db): Promise<ContactKind[]> {
    const dropped: ContactKind[] = [];
    if (kinds.includes('phone')) {
      const n = await trx('accounts')
        .where({ id: accountId, phone_verified: true })
        .andWhere('phone_verified_at', '>=', since)
        .update({ phone: null, phone_verified: false, phone_verified_acr: null, phone_verified_at: null, updated_at: trx.fn.now() });
      if (n) dropped.push('phone');
    }
    if (kinds.includes('email')) {
      const n = await trx('accounts')
        .where({ id: accountId, email_verified: true })
        .andWhere('email_verified_at', '>=', since)
        .update({ email: null, email_verified: false, email_verified_at: null, password_reset_method: 'phone', updated_at: trx.fn.now() });
      if (n) dropped.push('email');
    }
    return dropped;
  }

  /** The new phone and e-mail waiting for their codes beside the verified ones (contact options). */
  async pendingContacts(accountId: string): Promise<PendingContacts> {
    const row = (await this.db('accounts').where({ id: accountId }).first('pending_phone', 'pending_phone_at', 'pending_email', 'pending_email_at')) as
      | { pending_phone: string | null; pending_phone_at: Date | null; pending_email: string | null; pending_email_at: Date | null }
      | undefined;
    return {
      phone: row?.pending_phone ?? null,
      phoneAt: row?.pending_phone_at ? new Date(row.pending_phone_at) : null,
      email: row?.pending_email ?? null,
      emailAt: row?.pending_email_at ? new Date(row.pending_email_at) : null,
    };
  }

  /**
   * Records (or, with null, drops) a new contact that waits for its code. The verified contact of the
   * same kind is left as it is: it keeps serving resets, the SMS second factor and notifications until
   * the new one is verified (promotePending).
   */
  async setPending(accountId: string, kind: 'phone' | 'email', value: string | null, trx: Knex = this.db): Promise<void> {
    await trx('accounts')
      .where({ id: accountId })
      .update({ [`pending_${kind}`]: value, [`pending_${kind}_at`]: value ? trx.fn.now() : null, updated_at: trx.fn.now() });
  }

  /**
   * The pending contact, proved by its code, replaces the verified one: compare-and-set on the value the
   * code was sent to, so a pending value changed meanwhile (another tab) is never promoted by an older
   * code. `verifiedAcr` as in setPhone. True when this call replaced it.
   */
  async promotePending(
    accountId: string,
    kind: 'phone' | 'email',
    expected: string,
    verifiedAcr: PhoneVerificationLevel | undefined,
    trx: Knex = this.db,
  ): Promise<boolean> {
    const changes: Record<string, unknown> =
      kind === 'phone'
        ? { phone: expected, phone_verified: true, phone_verified_acr: verifiedAcr ?? null, phone_verified_at: trx.fn.now() }
        : { email: expected, email_verified: true, email_verified_at: trx.fn.now() };
    const updated = await trx('accounts')
      .where({ id: accountId, [`pending_${kind}`]: expected })
      .update({ ...changes, [`pending_${kind}`]: null, [`pending_${kind}_at`]: null, updated_at: trx.fn.now() }, ['id']);
    return updated.length === 1;
  }

  async setPasswordResetMethod(accountId: string, method: PasswordResetMethod, trx: Knex = this.db): Promise<void> {
    await trx('accounts').where({ id: accountId }).update({ password_reset_method: method, updated_at: trx.fn.now() });
  }

  /** "Refresh my information": names and address as the population registry has them now. */
  async refreshFromRegistry(
    accountId: string,
    person: Pick<RegisteredPerson, 'givenName' | 'familyName' | 'birthdate' | 'address'>,
    trx: Knex = this.db,
  ): Promise<void> {
    await trx('accounts')
      .where({ id: accountId })
      .update({
        given_name: person.givenName,
        family_name: person.familyName,
        birthdate: person.birthdate,
        address: person.address ? JSON.stringify(person.address) : null,
        updated_at: trx.fn.now(),
      });
  }

  async findPassword(accountId: string): Promise<PasswordCredential | undefined> {
    const row = await this.db('password_credentials').where({ account_id: accountId }).first();
    return row ? { accountId: row.account_id, hash: row.hash, mustChange: row.must_change, origin: row.origin } : undefined;
  }

  async setPassword(credential: PasswordCredential, trx: Knex = this.db): Promise<void> {
    await trx('password_credentials')
      .insert({
        account_id: credential.accountId,
        hash: credential.hash,
        must_change: credential.mustChange,
        origin: credential.origin,
        updated_at: trx.fn.now(),
      })
      .onConflict('account_id')
      .merge();
  }
}
