import type { SignInRow } from '../../../../security/audit.js';
import type { IpLocator } from '../../../../../adapters/geoip/port.js';
import { isAcr } from '../../../../assurance/levels.js';
import type { MethodTraitBook } from '../../../../engine/traits.js';
import { translate, type Locale, type MessageKey } from '../../../../i18n/index.js';
import { LEVEL_LABEL } from '../../../messages.js';
import { ACCOUNT_CLIENT_ID } from '../../client.js';
import { methodName } from '../../method-name.js';
import { deviceText } from './device.js';
import { dateText } from './format.js';
import type { Institution } from './institutions.js';

/** The results the page names; any other is a failed sign-in. */
const RESULT_MESSAGE = new Map<string, MessageKey>([
  ['success', 'history.result.success'],
  ['invalid_credentials', 'history.result.invalid_credentials'],
  ['invalid_code', 'history.result.invalid_code'],
  ['password_login_closed', 'history.result.password_login_closed'],
  ['rate_limited', 'history.result.rate_limited'],
]);

/** One sign-in as the history page and the "This wasn't me" pages show it, in the person's language. */
export interface EntryView {
  id: string;
  at: string;
  atText: string;
  where: string;
  methods: string;
  level: string | undefined;
  result: string;
  resultText: string;
  ip: string | null;
  place: string;
  device: string | undefined;
  /** "This wasn't me" is offered for sign-ins that got in: a failed attempt gave nobody access. */
  disownable: boolean;
}

/**
 * The approximate place of the address the sign-in came from (adapters/geoip: the operator's table of
 * networks, a city or region at most), 'local network' for private addresses, else "unknown".
 */
export function placeText(locale: Locale, ip: string | null, locator: IpLocator | undefined): string {
  const place = ip && locator ? locator.locate(ip) : undefined;
  if (place === 'local') return translate(locale, 'history.place.local');
  return place ?? translate(locale, 'history.place.unknown');
}

export function entryView(row: SignInRow, locale: Locale, traits: MethodTraitBook, names: Map<string, Institution>, locator: IpLocator | undefined): EntryView {
  return {
    id: row.id,
    at: row.at.toISOString(),
    atText: dateText(row.at, locale),
    where: !row.clientId
      ? translate(locale, 'history.where.kapi')
      : row.clientId === ACCOUNT_CLIENT_ID
        ? translate(locale, 'history.where.account')
        : (names.get(row.clientId)?.name ?? row.clientId),
    methods: row.method
      .split('+')
      .map((m) => methodName(locale, traits, m))
      .join(' + '),
    level: isAcr(row.acr) ? translate(locale, LEVEL_LABEL[row.acr]) : undefined,
    result: row.result,
    resultText: translate(locale, RESULT_MESSAGE.get(row.result) ?? 'history.result.failed'),
    ip: row.ip,
    place: placeText(locale, row.ip, locator),
    device: deviceText(row.userAgent),
    disownable: row.result === 'success',
  };
}
