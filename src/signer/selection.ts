import { SignerError, cardError } from './errors.js';
import { message, type Lang } from './messages.js';
import type { CardSession, Pkcs11Module, TokenCertificate, TokenSummary } from './pkcs11-session.js';
import { choose } from './prompt.js';

// Which token and which certificate: named by an option, the only one there is, or asked. With
// --yes (or without a terminal) a choice that would need a question fails and lists the candidates,
// so a script's author sees what to pass.

export interface Chooser {
  lang: Lang;
  interactive: boolean;
}

/** Certificates a person signs in with (not CA certificates), and the CA certificates (the chain). */
export function splitCertificates(certificates: TokenCertificate[]): { usable: TokenCertificate[]; cas: TokenCertificate[] } {
  return { usable: certificates.filter((c) => !c.isCa), cas: certificates.filter((c) => c.isCa) };
}

/** One line per certificate: the holder's name and issuer first, that is how people recognise theirs. */
export function describeCertificate(lang: Lang, cert: TokenCertificate): string {
  return message(lang, 'cert_summary', {
    holder: cert.holder,
    issuer: cert.issuer,
    label: cert.label || '-',
    id: cert.idHex || '-',
    until: cert.notAfter.toISOString().slice(0, 10),
  });
}

function certificateList(lang: Lang, certs: TokenCertificate[]): string {
  return certs.map((c, i) => `  ${i + 1}) ${describeCertificate(lang, c)}`).join('\n');
}

/**
 * `--cert` names a certificate by its exact label, else by its number in the list (1-based, as
 * --list prints it), else by its CKA_ID in hex (`01`, `0x01`, `a1:b2`): a label wins so "1" can be a label.
 */
export function matchCertificate(certs: TokenCertificate[], wanted: string): TokenCertificate | undefined {
  const byLabel = certs.find((c) => c.label === wanted);
  if (byLabel) return byLabel;
  if (/^[1-9]\d*$/.test(wanted)) {
    const byIndex = certs[Number(wanted) - 1];
    if (byIndex) return byIndex;
  }
  const hex = wanted.toLowerCase().replace(/^0x/, '').replace(/[:\s]/g, '');
  return hex ? certs.find((c) => c.idHex === hex) : undefined;
}

export async function chooseCertificate(chooser: Chooser, certificates: TokenCertificate[], wanted: string | undefined): Promise<TokenCertificate> {
  const { lang, interactive } = chooser;
  const { usable } = splitCertificates(certificates);
  if (wanted !== undefined) {
    const found = matchCertificate(usable, wanted);
    if (!found) throw new SignerError('cert_not_found', { cert: wanted, list: certificateList(lang, usable) });
    return found;
  }
  const [first, ...rest] = usable;
  if (!first) throw cardError('no_certificate');
  if (rest.length === 0) return first;
  if (!interactive) throw new SignerError('several_certs', { list: certificateList(lang, usable) }, { code: 'several_certificates' });
  const index = await choose(
    message(lang, 'ask_cert'),
    usable.map((c) => describeCertificate(lang, c)),
    (max) => message(lang, 'ask_choice', { max }),
  );
  return usable[index] ?? first;
}

export interface OpenToken {
  token: TokenSummary;
  session: CardSession;
  certificates: TokenCertificate[];
}

/**
 * Opens the token to sign with. By label when given (SoftHSM and some drivers move tokens between
 * slot ids, so a slot number is never a stable name); otherwise the token that holds certificates,
 * asking when several do. The caller closes the returned session.
 */
export async function openToken(chooser: Chooser, module: Pkcs11Module, label: string | undefined): Promise<OpenToken> {
  const { lang, interactive } = chooser;
  const tokens = module.tokens();
  if (tokens.length === 0) throw cardError('token_error', 'no_token');
  const labels = tokens.map((t) => t.label).join(', ');
  const candidates = label === undefined ? tokens : tokens.filter((t) => t.label === label);
  if (candidates.length === 0) throw new SignerError('token_not_found', { label: label ?? '', labels }, { code: 'token_not_found' });

  const opened: OpenToken[] = [];
  try {
    for (const token of candidates) {
      const session = module.open(token);
      opened.push({ token, session, certificates: session.certificates() });
    }
    const withCerts = opened.filter((o) => splitCertificates(o.certificates).usable.length > 0);
    let chosen: OpenToken | undefined;
    if (withCerts.length === 0) throw cardError('no_certificate');
    if (withCerts.length === 1) chosen = withCerts[0];
    else if (!interactive) {
      throw new SignerError('several_tokens', { labels: withCerts.map((o) => o.token.label).join(', ') }, { code: 'several_tokens' });
    } else {
      const index = await choose(
        message(lang, 'ask_token'),
        withCerts.map((o) => `${o.token.label} (${o.token.manufacturer} ${o.token.model})`),
        (max) => message(lang, 'ask_choice', { max }),
      );
      chosen = withCerts[index];
    }
    for (const o of opened) if (o !== chosen) o.session.close();
    if (!chosen) throw cardError('no_certificate');
    return chosen;
  } catch (err) {
    for (const o of opened) o.session.close();
    throw err;
  }
}
