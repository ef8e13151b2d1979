// The approximate place of an IP address, shown to a person who is asked to approve a sign-in on their
// phone ("Ankara, Türkiye"), so that a request from somewhere else stands out. Coarse on purpose: a
// city or region at most, never stored beyond the short-lived approval.

export interface IpLocator {
  /** A place label for the address, 'local' for private and loopback networks, or undefined when unknown. */
  locate(ip: string): string | undefined;
}
