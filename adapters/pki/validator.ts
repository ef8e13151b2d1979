import type { X509Certificate } from './x509.js';
import { commonNameOf, fingerprint, hasKeyUsages, isCa, isQualified, nationalIdOf, parseCertificate } from './certificate.js';
import type { FetchLike } from './fetch-der.js';
import { validatePath } from './path.js';
import type { CertificateValidator, CertificateVerdict, RefusedCertificate, TrustProfile } from './port.js';
import { MemoryRevocationCache, type RevocationCache } from './revocation-cache.js';
import { RevocationChecker } from './revocation.js';
import { log } from '../../src/log.js';

// The certificate checks of a smart-card (or mobile-signature) login, in the order that gives the most
// useful answer: can it be read, is there a valid certification path (RFC 5280 §6.1, path.ts) from it to
// this profile's anchors at the time (the leaf's own dates included), does it have the key usage and
// qualified status the profile asks for, and is it revoked. Revocation comes last because it is the only
// step that goes over the network.

export interface PkiValidatorOptions {
  /** Defaults to the global fetch. */
  fetch?: FetchLike;
  /** Defaults to the system clock; used for revocation freshness and as the default validation time. */
  now?: () => Date;
  /** Defaults to an in-process LRU; pass a StateStoreRevocationCache to share between processes. */
  cache?: RevocationCache;
}

interface ParsedProfile {
  anchors: X509Certificate[];
  intermediates: X509Certificate[];
}

export class PkiValidator implements CertificateValidator {
  readonly #now: () => Date;
  readonly #revocation: RevocationChecker;
  /** Anchors are parsed once per profile object, not per login. */
  readonly #profiles = new WeakMap<TrustProfile, ParsedProfile>();

  constructor(options: PkiValidatorOptions = {}) {
    this.#now = options.now ?? (() => new Date());
    this.#revocation = new RevocationChecker({
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      now: this.#now,
      cache: options.cache ?? new MemoryRevocationCache({ now: () => this.#now().getTime() }),
    });
  }

  async validate(leafDer: Uint8Array, chainDer: Uint8Array[], profile: TrustProfile, at?: Date): Promise<CertificateVerdict> {
    let leaf: X509Certificate;
    let chain: X509Certificate[];
    try {
      leaf = parseCertificate(leafDer);
      chain = (Array.isArray(chainDer) ? chainDer : []).map(parseCertificate);
    } catch (err) {
      return refuse('malformed', `certificate does not parse: ${(err as Error).message}`);
    }
    const when = at ?? this.#now();
    const trust = this.#parsedProfile(profile);

    // A CA certificate is never a login certificate, even one that is itself an anchor.
    if (isCa(leaf)) return refuse('wrong_key_usage', 'the certificate is a CA certificate');

    const path = await validatePath(leaf, [...chain, ...trust.intermediates], trust.anchors, when);
    if (!path.ok) return refuse(path.reason, path.detail);

    if (!hasKeyUsages(leaf, profile.requiredKeyUsage)) {
      return refuse('wrong_key_usage', `profile ${profile.name} needs keyUsage ${profile.requiredKeyUsage.join('+')}`);
    }
    if (profile.requireQualified && !isQualified(leaf)) {
      return refuse('not_qualified', 'QCStatements lack QcCompliance or a national qualified statement');
    }

    if (profile.revocation.mode !== 'off') {
      const issuer = path.path[1]!;
      const outcome = await this.#revocation.check(leaf, issuer, profile.revocation);
      if (outcome.status === 'revoked') return refuse('revoked', outcome.detail);
      if (outcome.status === 'unknown' && profile.revocation.mode === 'fail-closed') return refuse('revocation_unknown', outcome.detail);
      // fail-open (refused in production): accepted, and said so, with the reason (responder addresses, no personal data).
      if (outcome.status === 'unknown')
        log.warn({ profile: profile.name, reason: outcome.detail }, 'certificate accepted with an unknown revocation status (KAPI_REVOCATION_MODE=fail-open)');
    }

    return {
      ok: true,
      nationalId: nationalIdOf(leaf),
      subject: leaf.subject,
      issuer: leaf.issuer,
      serialNumber: leaf.serialNumber.toLowerCase(),
      notAfter: leaf.notAfter,
      fingerprint: fingerprint(leaf),
      holderName: commonNameOf(leaf),
    };
  }

  #parsedProfile(profile: TrustProfile): ParsedProfile {
    let parsed = this.#profiles.get(profile);
    if (!parsed) {
      // trust-config.ts has already refused unreadable anchors; one that still fails here trusts nothing.
      parsed = { anchors: parseAll(profile.anchors), intermediates: parseAll(profile.intermediates ?? []) };
      this.#profiles.set(profile, parsed);
    }
    return parsed;
  }
}

function parseAll(ders: Uint8Array[]): X509Certificate[] {
  const certs: X509Certificate[] = [];
  for (const der of ders) {
    try {
      certs.push(parseCertificate(der));
    } catch {
      // skipped: see #parsedProfile
    }
  }
  return certs;
}

function refuse(reason: RefusedCertificate['reason'], detail?: string): RefusedCertificate {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}
