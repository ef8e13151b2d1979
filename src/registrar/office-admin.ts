import { accountFromPerson } from '../accounts/account-repository.js';
import { KapiError } from '../errors.js';
import { validateNationalId } from '../identity/national-id.js';
import type { Actor, OperatorAuditTrail } from '../operators/audit-trail.js';
import type { Services } from '../services.js';
import { maskNationalId } from './receipt.js';
import { OFFICE_KINDS, type Office, type OfficeKind, type RegistrarRepository, type RegistrarStaff } from './repository.js';

// The operators' rules for offices and registrar staff (issue 23 points 2 and 4), one copy for
// `kapi registrar office|grant|revoke` and the operator console: what an office code looks like, that
// an identity number passes its checksum before the registry is asked, that a role is granted only at a
// known office to a living person, and that every change is written to the operators' audit trail (and
// the security audit the registrar layer has always written) in the change's own transaction.

export const OFFICE_CODE = /^[A-Z0-9-]{3,32}$/;

/** Why a change was refused: the code is the console's message key (console.offices.refusal.<code>), `field` the form field. */
export type OfficeRefusalCode =
  | 'code_format'
  | 'name_missing'
  | 'kind_unknown'
  | 'office_exists'
  | 'national_id_format'
  | 'national_id_checksum'
  | 'not_in_registry'
  | 'not_registrar_here';

const FIELD: Record<OfficeRefusalCode, string | undefined> = {
  code_format: 'code',
  name_missing: 'name',
  kind_unknown: 'kind',
  office_exists: 'code',
  national_id_format: 'national_id',
  national_id_checksum: 'national_id',
  not_in_registry: 'national_id',
  not_registrar_here: undefined,
};

export class OfficeRefusal extends Error {
  readonly field: string | undefined;
  constructor(
    readonly code: OfficeRefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'OfficeRefusal';
    this.field = FIELD[code];
  }
}

type Deps = Pick<Services, 'accounts' | 'registry' | 'audit'>;

export class OfficeAdmin {
  constructor(
    private readonly deps: Deps,
    readonly repository: RegistrarRepository,
    private readonly trail: OperatorAuditTrail,
  ) {}

  async listOffices(): Promise<Office[]> {
    return this.repository.listOffices();
  }

  async office(code: string): Promise<Office> {
    const office = OFFICE_CODE.test(code) ? await this.repository.findOffice(code) : undefined;
    if (!office) throw new KapiError('not_found', `no office ${code}`);
    return office;
  }

  async staff(officeCode?: string): Promise<RegistrarStaff[]> {
    return this.repository.listRoles(officeCode);
  }

  async addOffice(actor: Actor, input: { code: string; name: string; kind: string }): Promise<Office> {
    const code = input.code.trim();
    const name = input.name.trim();
    if (!OFFICE_CODE.test(code)) throw new OfficeRefusal('code_format', 'office codes are 3-32 capital letters, digits or dashes');
    if (!name || name.length > 200) throw new OfficeRefusal('name_missing', 'an office needs a name of at most 200 characters');
    if (!(OFFICE_KINDS as readonly string[]).includes(input.kind)) throw new OfficeRefusal('kind_unknown', `office kinds are ${OFFICE_KINDS.join(', ')}`);
    if (await this.repository.findOffice(code)) throw new OfficeRefusal('office_exists', `office ${code} already exists`);
    return this.repository.transaction(async (trx) => {
      const added = await this.repository.addOffice({ code, name, kind: input.kind as OfficeKind }, trx);
      // Added meanwhile by someone else (the check above is for the usual case, this is the race).
      if (!added) throw new OfficeRefusal('office_exists', `office ${code} already exists`);
      await this.trail.record(actor, { action: 'office.add', target: code, detail: { name, kind: input.kind } }, trx);
      return added;
    });
  }

  /** Closes (or opens again) an office for password services; its registrars are refused while it is closed. */
  async setActive(actor: Actor, code: string, active: boolean): Promise<void> {
    await this.office(code);
    await this.repository.transaction(async (trx) => {
      await this.repository.setOfficeActive(code, active, trx);
      await this.trail.record(actor, { action: active ? 'office.reactivate' : 'office.deactivate', target: code }, trx);
    });
  }

  /**
   * Gives the person the registrar role at the office (one office per registrar: a role elsewhere moves
   * here). The checksum first, then the registry; an account is made from the registry if needed.
   */
  async grant(actor: Actor, officeCode: string, rawNationalId: string): Promise<{ accountId: string; name: string; movedFrom?: string }> {
    const checked = validateNationalId(rawNationalId);
    if (!checked.ok)
      throw new OfficeRefusal(
        checked.reason === 'format' ? 'national_id_format' : 'national_id_checksum',
        `${rawNationalId} is not a well-formed identity number`,
      );
    await this.office(officeCode);
    const nationalId = checked.number;
    let account = await this.deps.accounts.findByNationalId(nationalId);
    if (!account) {
      const person = await this.deps.registry.lookup(nationalId);
      if (!person || !person.alive) throw new OfficeRefusal('not_in_registry', `the population registry knows no living person ${nationalId}`);
      account = await this.deps.accounts.create(accountFromPerson(person));
    }
    const accountId = account.id;
    const before = await this.repository.findRole(accountId);
    const movedFrom = before && before.officeCode !== officeCode ? before.officeCode : undefined;
    await this.repository.transaction(async (trx) => {
      await this.repository.grantRole(accountId, officeCode, actor.label, trx);
      await this.trail.record(
        actor,
        {
          action: 'registrar.grant',
          target: maskNationalId(nationalId),
          detail: { office: officeCode, account_id: accountId, ...(movedFrom ? { moved_from: movedFrom } : {}) },
        },
        trx,
      );
      await this.deps.audit.event({ type: 'registrar.role_granted', accountId, actor: actor.label, detail: { office: officeCode } }, trx);
    });
    return { accountId, name: `${account.givenName} ${account.familyName}`, ...(movedFrom ? { movedFrom } : {}) };
  }

  /** Takes the registrar role away; with `officeCode`, only if it is held at that office. */
  async revoke(actor: Actor, accountId: string, officeCode?: string): Promise<void> {
    const role = await this.repository.findRole(accountId);
    if (!role || (officeCode !== undefined && role.officeCode !== officeCode))
      throw new OfficeRefusal('not_registrar_here', `account ${accountId} holds no registrar role${officeCode ? ` at ${officeCode}` : ''}`);
    const account = await this.deps.accounts.findById(accountId);
    await this.repository.transaction(async (trx) => {
      await this.repository.revokeRole(accountId, trx);
      await this.trail.record(
        actor,
        {
          action: 'registrar.revoke',
          target: account ? maskNationalId(account.nationalId) : accountId,
          detail: { office: role.officeCode, account_id: accountId },
        },
        trx,
      );
      await this.deps.audit.event({ type: 'registrar.role_revoked', accountId, actor: actor.label, detail: { office: role.officeCode } }, trx);
    });
  }
}
