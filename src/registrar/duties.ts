import { validateNationalId } from '../identity/national-id.js';
import { RegistrarRefusal } from './refusal.js';

// Separation of duties at the counter (issue 19 point 5): the registrar who carries out an issuance or a
// cancellation is neither the person whose password it is nor the proxy or guardian acting for her. A
// registrar's own password is handled by another registrar, as any citizen's is. Identity numbers are
// compared as the registry keys them (digits only): "100 000 001 46" is 10000000146.

function sameNumber(a: string, b: string): boolean {
  const norm = (v: string) => {
    const checked = validateNationalId(v);
    return checked.ok ? checked.number : v.replace(/\s+/g, '');
  };
  return norm(a) === norm(b);
}

export function checkSeparationOfDuties(staffNationalId: string, request: { nationalId: string; representative?: { nationalId: string } | undefined }): void {
  if (sameNumber(staffNationalId, request.nationalId)) throw new RegistrarRefusal('staff_is_person');
  if (request.representative && sameNumber(staffNationalId, request.representative.nationalId)) throw new RegistrarRefusal('staff_is_representative');
}
