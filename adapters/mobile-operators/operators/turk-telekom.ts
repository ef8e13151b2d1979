import { formatTurkishMsisdn, type OperatorProfile } from '../etsi-client.js';
import type { OperatorDefaults } from './defaults.js';

// Türk Telekom's MSSP (public endpoint seen in demos: ".../EGAMsspWSAP2/MSS_SignatureService").
// Defaults [?]: SOAP 1.1, the national MSISDN form "05XXXXXXXXX", a receipt after each signature.

export const turkTelekomDefaults: OperatorDefaults = {
  msspId: { uri: 'http://mobilimza.turktelekom.com.tr' },
  soapVersion: '1.1',
  msisdnFormat: 'national',
  receipt: true,
};

export const turkTelekom: OperatorProfile = {
  id: 'turk-telekom',
  labelKey: 'operator.turk-telekom',
  formatMsisdn: formatTurkishMsisdn,
  // Its faults carry the status code in the SOAP 1.1 detail element (<detail><code>402</code>) [?].
  statusFromFault: (fault) => {
    const match = /(?:^|\D)(\d{3})(?:\D|$)/.exec(fault.detail ?? '');
    return match ? Number(match[1]) : undefined;
  },
  soapAction: () => '',
};
