import { formatTurkishMsisdn, type OperatorProfile } from '../etsi-client.js';
import type { OperatorDefaults } from './defaults.js';

// Turkcell's MSSP. Facts from its public test service (protocols.md): MSSP_ID is the DNSName
// "www.turkcelltech.com" and the endpoint is ".../MSSP2/services/MSS_Signature". What is not public
// (exact profile URI, MSISDN format, SOAP version of production) is configuration; the defaults
// below are what its public demos used [?] and can each be overridden in the operators file.

export const turkcellDefaults: OperatorDefaults = {
  msspId: { dnsName: 'www.turkcelltech.com' },
  soapVersion: '1.1',
  msisdnFormat: 'international',
  receipt: true,
};

export const turkcell: OperatorProfile = {
  id: 'turkcell',
  labelKey: 'operator.turkcell',
  formatMsisdn: formatTurkishMsisdn,
  // Turkcell's toolkit answers some refusals as a SOAP 1.1 fault whose faultstring starts with the
  // status code ("105 UNKNOWN_CLIENT") instead of a mss:_105 faultcode [?].
  statusFromFault: (fault) => {
    const match = /^\s*(\d{3})\b/.exec(fault.reason);
    return match ? Number(match[1]) : undefined;
  },
  soapAction: (operation) => ({ signature: 'MSS_Signature', status: 'MSS_StatusQuery', receipt: 'MSS_Receipt' })[operation],
};
