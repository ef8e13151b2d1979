import type { Database } from '../../adapters/storage/port.js';
import { accountFromPerson, type AccountRepository } from '../accounts/account-repository.js';
import type { PasswordHasher } from '../accounts/password-hasher.js';
import { validateNationalId } from '../identity/national-id.js';
import { log } from '../log.js';
import type { Locale } from '../i18n/index.js';
import type { AuditLog } from '../security/audit.js';
import { checkAgainstRegistry, checkPersonDocuments, checkRepresentativeDocument, DOCUMENTS_BY_IDENTITY, type DocumentType } from './documents.js';
import { checkSeparationOfDuties } from './duties.js';
import { checkEligibility, checkRepresentative } from './eligibility.js';
import { officePasswordFee } from './fees.js';
import { requestFingerprint, type CounterAttempt, type IdempotencyKeys, type KeyEntry, type KeyOutcome } from './idempotency.js';
import type { RegistrarLimiter } from './rate-limit.js';
import { renderReceipt } from './receipt.js';
import { RegistrarRefusal, type CounterOperation } from './refusal.js';
import type { CounterRecord, LockedAccount, Office, RecordedDocument, RegistrarRepository, RepresentativeRecord } from './repository.js';
import type { Channel, CounterRequest, IdentityType, RegistryLookup, RegistryRecord, StaffContext } from './types.js';
import type { FactorRemover } from '../engine/module.js';

// The service layer of office issuance, shared by the registrar API and `kapi registrar`. Every
// operation starts by checking that the staff member holds the registrar role for the office, counts
// against the lookup limits, and ends with an audit event. Staff get what issuance needs and nothing
// else: a name to compare with the documents, the identity type, the fee, whether a password exists.
// An issuance or a cancellation carries an attempt with its Idempotency-Key (idempotency.ts): the same
// request sent twice is done once, and a registrar never acts on her own password or as the
// representative in her own request (duties.ts).

/** Ends the sign-in sessions an account holds (the session index, src/sessions/session-index.ts). */
export interface SessionEnder {
  endForAccount(accountId: string, options: { startedWith?: string; reason: string; revokeTokens?: boolean }): Promise<number>;
}

export interface RegistrarServiceDeps {
  /** The registrar's storage port (its transactions too): the service names no SQL. */
  repository: RegistrarRepository;
  accounts: AccountRepository;
  hasher: PasswordHasher;
  registry: RegistryLookup;
  audit: AuditLog;
  limiter: RegistrarLimiter;
  sessions: SessionEnder;
  keys: IdempotencyKeys;
  /** The method modules' factor removers (src/services.ts collects them), run when an issuance removes the factors. */
  factorRemovers: readonly FactorRemover[];
  now?: () => Date;
}

export interface PersonCheck {
  nationalId: string;
  identityType: IdentityType;
  name: string;
  eligible: boolean;
  refusal?: RegistrarRefusal | undefined;
  acceptedDocuments: readonly DocumentType[];
  hasPassword: boolean;
  /** The fee the next office password costs this person. */
  nextFeeKurus: number;
}

export interface Issued {
  record: CounterRecord;
  /**
   * Shown once to staff for the sealed envelope; stored nowhere. A replay has it only when the attempt
   * that committed the issuance asks again (the CLI retrying after a timeout): it is in that memory only.
   */
  password: string | undefined;
  /** The request had been carried out before under its key: this is that first answer again. */
  replayed: boolean;
  person: { nationalId: string; name: string };
  accountCreated: boolean;
  passwordLoginReopened: boolean;
  /** The person's second factors were removed at her request (in person or by a guardian). */
  secondFactorsRemoved: boolean;
  office: Office;
  staffName: string;
  receipt(locale: Locale): string;
}

export interface Cancelled {
  record: CounterRecord;
  replayed: boolean;
  person: { nationalId: string; name: string };
  sessionsEnded: number;
  office: Office;
  staffName: string;
  receipt(locale: Locale): string;
}

export interface HistoryEntry extends CounterRecord {
  nationalId: string;
  /** The registrar who did it, by name (a staff column for the office's own books). */
  staffName: string;
}

const UNIQUE_VIOLATION = '23505';

function fullName(p: { givenName: string; familyName: string }): string {
  return `${p.givenName} ${p.familyName}`;
}

/** The number as the registry keys it; a typo is refused here, before anyone is looked up. */
function checkedNationalId(value: string, field: string): string {
  const checked = validateNationalId(value);
  if (!checked.ok) throw new RegistrarRefusal('invalid_identity_number', { field });
  return checked.number;
}

/** ISO date that exists in the calendar, not after today. */
function validPastDate(value: string, now: Date): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value && parsed.getTime() <= now.getTime();
}

export class RegistrarService {
  readonly #d: RegistrarServiceDeps;
  readonly #now: () => Date;

  constructor(deps: RegistrarServiceDeps) {
    this.#d = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  get repository(): RegistrarRepository {
    return this.#d.repository;
  }

  /** The office the staff member acts for, once the role is confirmed. */
  async authorize(staff: StaffContext): Promise<{ office: Office; staffName: string; staffNationalId: string }> {
    const office = await this.#d.repository.findOffice(staff.officeCode);
    if (!office) throw new RegistrarRefusal('office_unknown');
    const role = await this.#d.repository.findRole(staff.staffAccountId);
    if (!role || role.officeCode !== office.code) throw new RegistrarRefusal('not_registrar');
    if (!office.active) throw new RegistrarRefusal('office_inactive');
    const account = await this.#d.accounts.findById(staff.staffAccountId);
    if (!account) throw new RegistrarRefusal('not_registrar');
    return { office, staffName: fullName(account), staffNationalId: account.nationalId };
  }

  /** What staff see before handing out or cancelling a password. */
  async check(staff: StaffContext, typed: string): Promise<PersonCheck> {
    const { staffNationalId } = await this.authorize(staff);
    const nationalId = checkedNationalId(typed, 'national_id');
    await this.#d.limiter.consume(staff.staffAccountId, staff.officeCode);
    const person = await this.#d.registry.lookup(nationalId);
    let refusal: RegistrarRefusal | undefined;
    try {
      checkEligibility(person, this.#now());
      // Said before she tries: her own password is another registrar's to hand out.
      checkSeparationOfDuties(staffNationalId, { nationalId });
    } catch (err) {
      if (!(err instanceof RegistrarRefusal)) throw err;
      refusal = err;
    }
    await this.#audit('registrar.lookup', staff, undefined, { nationalId, result: refusal?.code ?? 'eligible' });
    // An unknown number tells staff only that: no name, no type.
    if (!person) throw refusal ?? new RegistrarRefusal('not_in_registry');
    const account = await this.#d.accounts.findByNationalId(person.nationalId);
    const hasPassword = account ? Boolean(await this.#d.accounts.findPassword(account.id)) : false;
    const earlier = account ? await this.#d.repository.countIssuances(account.id) : 0;
    return {
      nationalId: person.nationalId,
      identityType: person.type,
      name: fullName(person),
      eligible: !refusal,
      refusal,
      acceptedDocuments: DOCUMENTS_BY_IDENTITY[person.type],
      hasPassword,
      nextFeeKurus: officePasswordFee(earlier),
    };
  }

  /** Hands out a new random one-time password; the person must change it at the first sign-in. */
  async issue(staff: StaffContext, request: CounterRequest, attempt: CounterAttempt): Promise<Issued> {
    const { office, staffName, staffNationalId } = await this.authorize(staff);
    const fingerprint = requestFingerprint('issue', request);
    const earlier = await this.#earlier(staff, attempt, 'issue', fingerprint);
    if (earlier) return this.#issuedAgain(staff, attempt, earlier, office, staffName);
    const { person, documents, representative } = await this.#checkCounterRequest(staff, staffNationalId, request, 'issue');
    // The office has seen the person (or her guardian, with the court's decision): it may take away a
    // factor she did not add or no longer has. A proxy's power of attorney does not reach that far.
    if (request.removeSecondFactors && request.channel === 'proxy') throw new RegistrarRefusal('second_factors_by_proxy').during('issue');

    // Random, never chosen by staff, drawn once per attempt; hashed before the transaction (argon2 takes
    // no connection).
    const password = attempt.password;
    const hash = await this.#d.hasher.hash(password);
    const who = { nationalId: person.nationalId, name: fullName(person) };

    const outcome = await this.#withAccountRetry(() =>
      this.#d.repository.transaction(async (trx) => {
        // First: a duplicate of this request waits here until the first one's transaction ends.
        if (!(await this.#d.keys.claim(trx, staff.staffAccountId, attempt, 'issue', fingerprint))) return undefined;
        const { account, created } = await this.#lockOrCreateAccount(trx, person);
        const earlierIssuances = await this.#d.repository.countIssuances(account.id, trx);
        const hadPassword = await this.#d.repository.hasPassword(trx, account.id);
        await this.#d.accounts.setPassword({ accountId: account.id, hash, mustChange: true, origin: 'office' }, trx);
        // A password from an office re-opens password login (FAQ, "How Can I Open Login With Password?").
        const reopened = !account.passwordLoginEnabled;
        if (reopened) await this.#d.repository.reopenPasswordLogin(trx, account.id);
        const record = await this.#d.repository.recordIssuance(
          { accountId: account.id, channel: request.channel, documents, representative, feeKurus: officePasswordFee(earlierIssuances) },
          staff,
          trx,
        );
        const factorsRemoved = request.removeSecondFactors ? await removeSecondFactors(trx, account.id, this.#d.factorRemovers, this.#d.repository) : undefined;
        // The audit rows of the change are written in its own transaction.
        await this.#audit(
          'registrar.password_issued',
          staff,
          account.id,
          {
            issuance: record.id,
            channel: request.channel,
            documents: documents.map((d) => d.type),
            representative: representative?.nationalId,
            feeKurus: record.feeKurus,
            accountCreated: created,
            passwordLoginReopened: reopened,
          },
          trx,
        );
        if (factorsRemoved)
          await this.#audit('registrar.second_factors_removed', staff, account.id, { issuance: record.id, channel: request.channel, ...factorsRemoved }, trx);
        // The earlier password is gone (lost, forgotten or stolen: that is why people come). As for a
        // reset, every session and every token of the person ends, whatever method started it
        // (DESIGN.md, "Endings"); so they do when her factors were removed.
        const endings = hadPassword ? 'password_changed' : factorsRemoved ? 'factors_removed' : null;
        const answer: KeyOutcome = {
          person: who,
          accountCreated: created,
          passwordLoginReopened: reopened,
          secondFactorsRemoved: factorsRemoved !== undefined,
          endings,
        };
        await this.#d.keys.complete(trx, staff.staffAccountId, attempt.key, record.id, answer);
        return { record, answer };
      }),
    );
    if (!outcome) return this.#issuedAgain(staff, attempt, await this.#heldBy(staff, attempt, 'issue', fingerprint), office, staffName);

    await this.#afterCommit(staff, attempt.key, outcome.record, outcome.answer.endings);
    const { record, answer } = outcome;
    return {
      record,
      password,
      replayed: false,
      person: who,
      accountCreated: answer.accountCreated ?? false,
      passwordLoginReopened: answer.passwordLoginReopened ?? false,
      secondFactorsRemoved: answer.secondFactorsRemoved ?? false,
      office,
      staffName,
      receipt: (locale) => renderReceipt({ record, office, staffName, person: who }, locale),
    };
  }

  /** Cancels the person's password: it stops working at once, and every session and token of the person ends. */
  async cancel(staff: StaffContext, request: CounterRequest, attempt: CounterAttempt): Promise<Cancelled> {
    const { office, staffName, staffNationalId } = await this.authorize(staff);
    const fingerprint = requestFingerprint('cancel', request);
    const earlier = await this.#earlier(staff, attempt, 'cancel', fingerprint);
    if (earlier) return this.#cancelledAgain(staff, attempt, earlier, office, staffName);
    // The same proxy and guardian rules as for receiving a password (FAQ, "How Can I Cancel My
    // Password?"). Age and death do not matter here: any existing password can be cancelled.
    const { person, documents, representative } = await this.#checkCounterRequest(staff, staffNationalId, request, 'cancel');
    const who = { nationalId: person.nationalId, name: fullName(person) };

    const record = await this.#d.repository.transaction(async (trx) => {
      if (!(await this.#d.keys.claim(trx, staff.staffAccountId, attempt, 'cancel', fingerprint))) return undefined;
      const account = await this.#d.repository.lockAccount(trx, person.nationalId);
      if (!account) throw new RegistrarRefusal('no_password').during('cancel');
      const removed = await this.#d.repository.removePassword(trx, account.id);
      if (!removed) throw new RegistrarRefusal('no_password').during('cancel');
      const cancelled = await this.#d.repository.recordCancellation({ accountId: account.id, channel: request.channel, documents, representative }, staff, trx);
      await this.#audit(
        'registrar.password_cancelled',
        staff,
        account.id,
        {
          cancellation: cancelled.id,
          channel: request.channel,
          documents: documents.map((d) => d.type),
          representative: representative?.nationalId,
        },
        trx,
      );
      await this.#d.keys.complete(trx, staff.staffAccountId, attempt.key, cancelled.id, { person: who, endings: 'password_cancelled' });
      return cancelled;
    });
    if (!record) return this.#cancelledAgain(staff, attempt, await this.#heldBy(staff, attempt, 'cancel', fingerprint), office, staffName);

    const sessionsEnded = await this.#afterCommit(staff, attempt.key, record, 'password_cancelled');
    const finalRecord = { ...record, sessionsEnded };
    return {
      record: finalRecord,
      replayed: false,
      person: who,
      sessionsEnded,
      office,
      staffName,
      receipt: (locale) => renderReceipt({ record: finalRecord, office, staffName, person: who }, locale),
    };
  }

  /** The office's own counter records (newest first), optionally for one person. */
  async history(staff: StaffContext, options: { nationalId?: string | undefined; limit?: number | undefined } = {}): Promise<HistoryEntry[]> {
    await this.authorize(staff);
    let accountId: string | undefined;
    if (options.nationalId !== undefined) {
      const nationalId = checkedNationalId(options.nationalId, 'national_id');
      await this.#d.limiter.consume(staff.staffAccountId, staff.officeCode);
      const account = await this.#d.accounts.findByNationalId(nationalId);
      await this.#audit('registrar.history', staff, account?.id, { nationalId });
      if (!account) return [];
      accountId = account.id;
    } else {
      await this.#audit('registrar.history', staff, undefined, {});
    }
    const records = await this.#d.repository.officeHistory(staff.officeCode, { accountId, limit: options.limit });
    const people = new Map<string, { nationalId: string; name: string }>();
    for (const id of new Set(records.flatMap((r) => [r.accountId, r.staffAccountId]))) {
      const account = await this.#d.accounts.findById(id);
      people.set(id, { nationalId: account?.nationalId ?? '', name: account ? fullName(account) : '' });
    }
    return records.map((r) => ({ ...r, nationalId: people.get(r.accountId)?.nationalId ?? '', staffName: people.get(r.staffAccountId)?.name ?? '' }));
  }

  /**
   * A receipt printed again (the console's print view, from the result page or the history): the
   * office's own records only. Another office's record answers as an unknown one, so an id says nothing
   * about the books of an office the staff member does not work at.
   */
  async receiptOf(
    staff: StaffContext,
    kind: CounterRecord['kind'],
    id: string,
  ): Promise<{ record: CounterRecord; office: Office; staffName: string; person: { nationalId: string; name: string }; receipt(locale: Locale): string }> {
    const { office } = await this.authorize(staff);
    const record = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) ? await this.#d.repository.findRecord(kind, id) : undefined;
    if (!record || record.officeCode !== office.code) {
      await this.#audit('registrar.receipt_refused', staff, undefined, { [kind]: id.slice(0, 64), refusal: 'record_unknown' });
      throw new RegistrarRefusal('record_unknown');
    }
    const [account, clerk] = await Promise.all([this.#d.accounts.findById(record.accountId), this.#d.accounts.findById(record.staffAccountId)]);
    const person = { nationalId: account?.nationalId ?? '', name: account ? fullName(account) : '' };
    const staffName = clerk ? fullName(clerk) : '';
    await this.#audit('registrar.receipt', staff, record.accountId, { [kind]: record.id });
    return { record, office, staffName, person, receipt: (locale) => renderReceipt({ record, office, staffName, person }, locale) };
  }

  // -- internals

  /** The stored answer for this attempt's key; a key used for another request is refused. */
  async #earlier(staff: StaffContext, attempt: CounterAttempt, operation: CounterOperation, fingerprint: string): Promise<KeyEntry | undefined> {
    const entry = await this.#d.keys.find(staff.staffAccountId, attempt.key);
    if (!entry) return undefined;
    if (entry.operation !== operation || entry.fingerprint !== fingerprint) {
      await this.#audit(`registrar.${operation}_refused`, staff, undefined, { refusal: 'idempotency_key_reused' });
      throw new RegistrarRefusal('idempotency_key_reused').during(operation);
    }
    return entry;
  }

  /** After waiting for the request that held the key: its answer (or a refusal if it was another request). */
  async #heldBy(staff: StaffContext, attempt: CounterAttempt, operation: CounterOperation, fingerprint: string): Promise<KeyEntry> {
    const entry = await this.#earlier(staff, attempt, operation, fingerprint);
    if (!entry) throw new Error('the key was held by a transaction that recorded nothing');
    return entry;
  }

  /**
   * The steps after the commit: every session and token of the person ends. Run once per request; a
   * replay of a request cut off before them runs them (idempotency.ts, takeFinish).
   */
  async #afterCommit(staff: StaffContext, key: string, record: CounterRecord, endings: string | null): Promise<number> {
    let ended = 0;
    if (endings) {
      try {
        ended = await this.#endEverything(record.accountId, endings, staff);
        if (record.kind === 'cancellation') await this.#d.repository.addSessionsEnded(record.id, ended);
        await this.#d.keys.finish(staff.staffAccountId, key);
      } catch (err) {
        await this.#d.keys.releaseFinish(staff.staffAccountId, key).catch(() => undefined);
        throw err;
      }
    }
    await this.#d.keys.purgeLapsed().catch((err: unknown) => log.warn({ err }, 'purging lapsed registrar idempotency keys failed'));
    return ended;
  }

  /** The record a key names, with the steps after its commit finished if they were cut off. */
  async #replayed(staff: StaffContext, attempt: CounterAttempt, entry: KeyEntry, kind: CounterRecord['kind']): Promise<CounterRecord> {
    if (!entry.finished && entry.outcome.endings && (await this.#d.keys.takeFinish(staff.staffAccountId, attempt.key, attempt.id))) {
      const pending = await this.#d.repository.findRecord(kind, entry.recordId);
      if (pending) await this.#afterCommit(staff, attempt.key, pending, entry.outcome.endings);
    }
    const record = await this.#d.repository.findRecord(kind, entry.recordId);
    if (!record) throw new Error(`the ${kind} an idempotency key names is gone`);
    await this.#audit('registrar.request_replayed', staff, record.accountId, { [kind]: record.id });
    return record;
  }

  async #issuedAgain(staff: StaffContext, attempt: CounterAttempt, entry: KeyEntry, office: Office, staffName: string): Promise<Issued> {
    const record = await this.#replayed(staff, attempt, entry, 'issuance');
    const who = entry.outcome.person;
    return {
      record,
      // Only the attempt that drew it still has it; any other caller gets the receipt, not the password.
      password: entry.attemptId === attempt.id ? attempt.password : undefined,
      replayed: true,
      person: who,
      accountCreated: entry.outcome.accountCreated ?? false,
      passwordLoginReopened: entry.outcome.passwordLoginReopened ?? false,
      secondFactorsRemoved: entry.outcome.secondFactorsRemoved ?? false,
      office,
      staffName,
      receipt: (locale) => renderReceipt({ record, office, staffName, person: who }, locale),
    };
  }

  async #cancelledAgain(staff: StaffContext, attempt: CounterAttempt, entry: KeyEntry, office: Office, staffName: string): Promise<Cancelled> {
    const record = await this.#replayed(staff, attempt, entry, 'cancellation');
    const who = entry.outcome.person;
    return {
      record,
      replayed: true,
      person: who,
      sessionsEnded: record.sessionsEnded ?? 0,
      office,
      staffName,
      receipt: (locale) => renderReceipt({ record, office, staffName, person: who }, locale),
    };
  }

  async #checkCounterRequest(
    staff: StaffContext,
    staffNationalId: string,
    request: CounterRequest,
    operation: CounterOperation,
  ): Promise<{ person: RegistryRecord; documents: RecordedDocument[]; representative: RepresentativeRecord | null }> {
    const now = this.#now();
    try {
      // Before anything is looked up: her own password, or a request in which she represents someone,
      // is another registrar's to carry out.
      checkSeparationOfDuties(staffNationalId, request);
      await this.#d.limiter.consume(staff.staffAccountId, staff.officeCode);
      const person = await this.#d.registry.lookup(request.nationalId);
      if (!person) throw new RegistrarRefusal('not_in_registry');
      if (operation === 'issue') checkEligibility(person, now);
      const checked = person;

      let documents: RecordedDocument[] = [];
      let representative: RepresentativeRecord | null = null;
      if (request.channel === 'self') {
        if (request.representative) throw new RegistrarRefusal('representative_unexpected');
        documents = checkPersonDocuments(checked.type, request.documents);
      } else {
        representative = await this.#checkRepresentative(request.channel, request, checked, now);
        // The person's own documents are optional when a representative comes, but checked if shown.
        if (request.documents.length) documents = checkPersonDocuments(checked.type, request.documents);
      }
      checkAgainstRegistry(checked.type, checked.documentSerial, documents as { type: DocumentType; number: string }[]);
      return { person: checked, documents, representative };
    } catch (err) {
      if (err instanceof RegistrarRefusal) {
        err.during(operation);
        await this.#audit(`registrar.${operation}_refused`, staff, undefined, { nationalId: request.nationalId, channel: request.channel, refusal: err.code });
      }
      throw err;
    }
  }

  async #checkRepresentative(channel: Exclude<Channel, 'self'>, request: CounterRequest, person: RegistryRecord, now: Date): Promise<RepresentativeRecord> {
    const rep = request.representative;
    if (!rep) throw new RegistrarRefusal('representative_missing');
    // The power of attorney must say in so many words that the proxy may receive the password.
    if (channel === 'proxy' && rep.authority.authorisesPasswordReceipt !== true) throw new RegistrarRefusal('proxy_not_authorised');
    if (!validPastDate(rep.authority.date, now)) throw new RegistrarRefusal('authority_date_invalid');
    const who = checkRepresentative(await this.#d.registry.lookup(rep.nationalId), person.nationalId, now);
    const document = checkRepresentativeDocument(who.type, rep.document);
    checkAgainstRegistry(who.type, who.documentSerial, [document], 'representative_document_mismatch');
    return {
      nationalId: who.nationalId,
      name: fullName(who),
      document,
      authorityType: channel === 'proxy' ? 'power_of_attorney' : 'court_decision',
      authorityNumber: rep.authority.number.trim(),
      authorityDate: rep.authority.date,
      authorityIssuer: rep.authority.issuer.trim(),
    };
  }

  /** The account row, locked for this transaction (two counters at once must not both charge 5 TL). */
  async #lockOrCreateAccount(trx: Database, person: RegistryRecord): Promise<{ account: LockedAccount; created: boolean }> {
    const existing = await this.#d.repository.lockAccount(trx, person.nationalId);
    if (existing) return { account: existing, created: false };
    const created = await this.#d.accounts.create(accountFromPerson(person), trx);
    return { account: { id: created.id, passwordLoginEnabled: created.passwordLoginEnabled }, created: true };
  }

  /** Two first issuances for the same new person at once: the loser of the insert race retries and
   *  then finds (and locks) the winner's account. */
  async #withAccountRetry<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) return run();
      throw err;
    }
  }

  /** Every session of the person, whatever method started it, and every grant and refresh token (offline_access too). */
  async #endEverything(accountId: string, reason: string, staff: StaffContext): Promise<number> {
    const ended = await this.#d.sessions.endForAccount(accountId, { reason, revokeTokens: true });
    if (ended) await this.#audit('registrar.sessions_ended', staff, accountId, { reason, count: ended });
    return ended;
  }

  async #audit(type: string, staff: StaffContext, accountId: string | undefined, detail: Record<string, unknown>, trx?: Database): Promise<void> {
    await this.#d.audit.event(
      { type, accountId, actor: `registrar:${staff.staffAccountId}`, ip: staff.ip, detail: { office: staff.officeCode, via: staff.via, ...detail } },
      trx,
    );
  }
}

/**
 * Removes the person's second factors in the issuance's transaction: whatever each method module counts
 * as a factor (the e-Government Key, registered devices, passkeys: `MethodModule.removeFactors`), the
 * phone's standing as a second factor, the verification of her phone and e-mail (a person who asks for
 * this may have had her account taken over, and the intruder's phone would get the reset codes of the
 * office's new password: she confirms hers again after signing in), and two-factor authentication,
 * which without a factor would leave her unable to sign in.
 */
async function removeSecondFactors(
  trx: Database,
  accountId: string,
  removers: readonly FactorRemover[],
  repository: RegistrarRepository,
): Promise<Record<string, number | boolean>> {
  const removed: Record<string, number | boolean> = {};
  for (const remove of removers) Object.assign(removed, await remove(trx, accountId));
  const { phone, contacts } = await repository.endSecondFactorStanding(trx, accountId);
  return { ...removed, phone, contactsUnverified: contacts };
}
