import type { MsisdnFormat } from '../etsi-client.js';
import type { MsspId } from '../mss-messages.js';
import type { SoapVersion } from '../soap.js';

/** What an operator's adapter suggests when the operators file does not say. */
export interface OperatorDefaults {
  msspId: MsspId;
  soapVersion: SoapVersion;
  msisdnFormat: MsisdnFormat;
  receipt: boolean;
}
