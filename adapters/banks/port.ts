// The bank port: one bank as an upstream OpenID Connect provider (federation). Kapı sends the person
// to the bank's own login and gets back an ID token that says who the bank proved. The real client is
// `OidcBank` (openid-client); the demo bank (demo-bank/) is a real oidc-provider, so the same client
// code runs against it unchanged.

/** What Kapı must remember between the redirect to the bank and the bank's answer (kept in the flow). */
export interface BankAuthorization {
  /** The bank's authorization endpoint with the request (no personal data: see `OidcBank.begin`). */
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Who the bank proved, after every check on its answer passed. */
export interface BankAnswer {
  /** The bank's own subject identifier for its customer (never shown, never sent anywhere). */
  subject: string;
  /** The ID token's claims (plus userinfo's, when the configured claim was not in the ID token). */
  claims: Record<string, unknown>;
  acr: string | undefined;
  amr: string[];
}

/**
 * Why a bank login did not give an answer. Protocol outcomes (the person cancelled, the bank refused)
 * and transport or validation failures are all values here: the method turns each into its own page.
 */
export type BankFailure =
  | 'cancelled' // the person cancelled at the bank (error=access_denied)
  | 'bank_error' // the bank answered with another OAuth error, or a server error
  | 'unreachable' // connection refused, DNS, TLS, or no answer before the timeout
  | 'invalid_answer'; // bad signature, wrong issuer/audience/nonce/state, expired, code reused

export type BankOutcome = { ok: true; answer: BankAnswer } | { ok: false; failure: BankFailure; detail: string };

export interface Bank {
  readonly id: string;
  /** Builds the authorization request (discovering the bank first when needed). */
  begin(): Promise<{ ok: true; authorization: BankAuthorization } | { ok: false; failure: 'unreachable' | 'bank_error'; detail: string }>;
  /** Validates the bank's answer at the callback and redeems the code. */
  complete(callbackQuery: string, expected: Omit<BankAuthorization, 'url'>, wantedClaim: string): Promise<BankOutcome>;
}
