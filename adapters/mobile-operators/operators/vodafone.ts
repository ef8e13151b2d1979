import { formatTurkishMsisdn, type OperatorProfile } from '../etsi-client.js';
import type { OperatorDefaults } from './defaults.js';

// Vodafone Türkiye's MSSP (public endpoint seen in demos: ".../Dianta2/MSS_SignatureService").
// Defaults [?]: SOAP 1.2 like the reference clients, MSISDN with "+90", no receipt expected.

export const vodafoneDefaults: OperatorDefaults = {
  msspId: { uri: 'http://mobilimza.vodafone.com.tr' },
  soapVersion: '1.2',
  msisdnFormat: 'plus-international',
  receipt: false,
};

export const vodafone: OperatorProfile = {
  id: 'vodafone',
  labelKey: 'operator.vodafone',
  formatMsisdn: formatTurkishMsisdn,
  soapAction: (operation) =>
    `http://uri.etsi.org/TS102204/v1.1.2#${{ signature: 'MSS_Signature', status: 'MSS_StatusQuery', receipt: 'MSS_Receipt' }[operation]}`,
};
