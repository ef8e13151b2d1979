import { ACR_LEVELS } from '../../assurance/levels.js';
import { clientInputSchema, ID_TOKEN_ALGS, type ClientInput } from '../../clients/client-service.js';
import { isKapiError } from '../../errors.js';
import { SUPPORTED_SCOPES } from '../../oidc/claims.js';

// An institution's form in the console, read into the same input the `kapi clients` options become
// (src/cli/clients.ts toInput), checked by the same schema and then by the shared service: the console
// has no rules of its own. What comes back on a refusal is the field to point at.

export const AUTH_METHODS = ['private_key_jwt', 'client_secret_basic', 'none'] as const;
export { ACR_LEVELS, ID_TOKEN_ALGS };
/** Scopes an operator approves for an institution, `openid` aside (always there). */
export const APPROVABLE_SCOPES = SUPPORTED_SCOPES.filter((s) => s !== 'openid');
export const FLAGS = ['par_required', 'dpop_required', 'fapi', 'client_credentials'] as const;

/** The form field behind each input field, for errors that point at what the operator typed. */
const FIELD_OF: Record<string, string> = {
  name: 'name',
  clientId: 'client_id',
  redirectUris: 'redirect_uris',
  postLogoutRedirectUris: 'post_logout_uris',
  backchannelLogoutUri: 'backchannel_logout_uri',
  authMethod: 'auth',
  jwksUri: 'jwks_uri',
  jwks: 'jwks',
  scopes: 'scope-profile',
  minAcr: 'min_acr',
  idTokenAlg: 'id_token_alg',
  institutionId: 'institution_id',
  subjectType: 'subject_type',
};

export class FormRefusal extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const lines = (value: string | undefined) =>
  (value ?? '')
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter(Boolean);
const trimmed = (input: Record<string, string>, name: string) => (input[name] ?? '').trim();

/** The whole settings form (register or edit): every field is given, an empty one clears its option. */
export function settingsInput(input: Record<string, string>, mode: 'register' | 'edit'): Partial<ClientInput> {
  const out: Partial<ClientInput> = {
    name: trimmed(input, 'name'),
    redirectUris: lines(input.redirect_uris),
    postLogoutRedirectUris: lines(input.post_logout_uris),
    backchannelLogoutUri: trimmed(input, 'backchannel_logout_uri') || undefined,
    minAcr: (trimmed(input, 'min_acr') || undefined) as ClientInput['minAcr'],
    idTokenAlg: (trimmed(input, 'id_token_alg') || undefined) as ClientInput['idTokenAlg'],
    subjectType: input.subject_type === 'public' ? 'public' : 'pairwise',
    parRequired: input.par_required === 'yes',
    dpopRequired: input.dpop_required === 'yes',
    fapi: input.fapi === 'yes',
    clientCredentials: input.client_credentials === 'yes',
  };
  const auth = trimmed(input, 'auth');
  if (auth) out.authMethod = auth as ClientInput['authMethod'];
  const institutionId = trimmed(input, 'institution_id');
  if (institutionId) out.institutionId = institutionId;
  if (mode === 'register') {
    const clientId = trimmed(input, 'client_id');
    if (clientId) out.clientId = clientId;
    const jwksUri = trimmed(input, 'jwks_uri');
    if (jwksUri) out.jwksUri = jwksUri;
    out.scopes = ['openid', ...APPROVABLE_SCOPES.filter((s) => input[`scope_${s}`] === 'yes')];
  }
  check(out);
  return out;
}

/** The claims form: the scopes ticked. */
export function scopesInput(input: Record<string, string>): string[] {
  return APPROVABLE_SCOPES.filter((s) => input[`scope_${s}`] === 'yes');
}

function check(input: Partial<ClientInput>): void {
  const result = clientInputSchema.partial().safeParse(input);
  if (result.success) return;
  const issue = result.error.issues[0]!;
  const [field, index] = issue.path;
  let value: unknown = input[field as keyof ClientInput];
  if (typeof index === 'number' && Array.isArray(value)) value = value[index];
  throw new FormRefusal(`${typeof value === 'string' ? `"${value}": ` : ''}${issue.message}`, FIELD_OF[String(field)]);
}

/** A refusal of the service or of oidc-provider's metadata check, as the form shows it; other errors go on. */
export function formRefusalOf(err: unknown): FormRefusal | undefined {
  if (err instanceof FormRefusal) return err;
  if (isKapiError(err) && (err.code === 'invalid_request' || err.code === 'not_found')) {
    const field = /jwks|private_key_jwt/.test(err.message) ? 'jwks_uri' : /client .* already exists/.test(err.message) ? 'client_id' : undefined;
    return new FormRefusal(err.message, field);
  }
  const e = err as { name?: string; error_description?: string; message?: string; issues?: { path: PropertyKey[]; message: string }[] };
  if (e?.name === 'InvalidClientMetadata' || e?.name === 'InvalidRedirectUri') {
    const description = e.error_description ?? e.message ?? '';
    const field = /^redirect_uris/.test(description)
      ? 'redirect_uris'
      : /^post_logout/.test(description)
        ? 'post_logout_uris'
        : /backchannel/.test(description)
          ? 'backchannel_logout_uri'
          : undefined;
    return new FormRefusal(description, field);
  }
  if (e?.name === 'ZodError' && Array.isArray(e.issues))
    return new FormRefusal(e.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; '));
  return undefined;
}

/** The settings form's values from a stored institution (edit) or from what was posted (shown again). */
export function formValues(metadata: Record<string, unknown>): Record<string, string> {
  const scopes = String(metadata.scope ?? 'openid').split(' ');
  const values: Record<string, string> = {
    name: String(metadata.client_name ?? ''),
    redirect_uris: ((metadata.redirect_uris as string[]) ?? []).join('\n'),
    post_logout_uris: ((metadata.post_logout_redirect_uris as string[]) ?? []).join('\n'),
    backchannel_logout_uri: String(metadata.backchannel_logout_uri ?? ''),
    auth: String(metadata.token_endpoint_auth_method ?? ''),
    min_acr: String(metadata.min_acr ?? ''),
    id_token_alg: String(metadata.id_token_signed_response_alg ?? ''),
    subject_type: String(metadata.subject_type ?? 'pairwise'),
    institution_id: String(metadata.institution_id ?? ''),
    par_required: metadata.require_pushed_authorization_requests === true && metadata.fapi !== true ? 'yes' : '',
    dpop_required: metadata.dpop_bound_access_tokens === true && metadata.fapi !== true ? 'yes' : '',
    fapi: metadata.fapi === true ? 'yes' : '',
    client_credentials: ((metadata.grant_types as string[]) ?? []).includes('client_credentials') ? 'yes' : '',
  };
  for (const s of APPROVABLE_SCOPES) values[`scope_${s}`] = scopes.includes(s) ? 'yes' : '';
  return values;
}
