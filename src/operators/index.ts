import { userInfo } from 'node:os';
import { InstitutionAdmin } from '../clients/institution-admin.js';
import { OfficeAdmin } from '../registrar/office-admin.js';
import { SqlRegistrarRepository } from '../../adapters/sql/registrar-repository.js';
import type { Services } from '../services.js';
import { OperatorAuditTrail, type Actor } from './audit-trail.js';
import { OperatorRoles } from './roles.js';

/** What the operator console and the `kapi` command share: roles, the audit trail, institutions' and offices' rules. */
export interface OperatorServices {
  roles: OperatorRoles;
  trail: OperatorAuditTrail;
  institutions: InstitutionAdmin;
  offices: OfficeAdmin;
}

export function operatorServices(services: Services): OperatorServices {
  const trail = new OperatorAuditTrail(services.db);
  return {
    roles: new OperatorRoles(services.db),
    trail,
    institutions: new InstitutionAdmin(services.clients, trail, services.revocations),
    offices: new OfficeAdmin(services, new SqlRegistrarRepository(services.db), trail),
  };
}

/** Someone at the server's command line: `--by` when given, otherwise the system user running `kapi`. */
export function cliActor(by?: string): Actor {
  let user = by?.trim();
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return { label: `cli:${user}`, via: 'cli' };
}
