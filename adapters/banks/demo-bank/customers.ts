// The demo bank's test customers. They sign in at the demo bank with their customer number or national
// identity number and the password below; customers with `otp` also type the demo one-time code.
// The people cover every case Kapı must handle: demo citizens who already have a Kapı account, a
// registry person without one (the "new user" case), a bank that proved only a password, and answers
// Kapı must refuse (no identity number, a malformed one, one the registry does not know).

export const DEMO_OTP = '246810';

export interface DemoCustomer {
  customerNumber: string;
  password: string;
  /** The national identity number the bank holds for this customer; absent for a customer without one. */
  nationalId?: string;
  name: string;
  /** The bank's second step (a one-time code); without it the bank reports a password-only login. */
  otp: boolean;
  /** What this customer shows in the demo (README "Online banking"). */
  note: string;
}

export const DEMO_CUSTOMERS: readonly DemoCustomer[] = [
  {
    customerNumber: '4000146',
    nationalId: '10000000146',
    password: 'Demo-Banka-146',
    name: 'Ayşe Yılmaz',
    otp: true,
    note: 'demo citizen with a Kapı account',
  },
  {
    customerNumber: '4000950',
    nationalId: '12345678950',
    password: 'Demo-Banka-950',
    name: 'Mehmet Ali Öztürk',
    otp: true,
    note: 'demo citizen with an office-issued one-time password',
  },
  {
    customerNumber: '4000018',
    nationalId: '10090908018',
    password: 'Demo-Banka-018',
    name: 'Çağla Şahin',
    otp: true,
    note: 'in the registry, no Kapı account yet: becomes a user',
  },
  {
    customerNumber: '4000046',
    nationalId: '23654859046',
    password: 'Demo-Banka-046',
    name: 'İsmail Güneş',
    otp: false,
    note: 'the bank proves only a password: acr low',
  },
  {
    customerNumber: '4000550',
    nationalId: '50505050550',
    password: 'Demo-Banka-550',
    name: 'Deniz Kaya',
    otp: true,
    note: 'well-formed number the registry does not know',
  },
  {
    customerNumber: '4000901',
    nationalId: '12345678901',
    password: 'Demo-Banka-901',
    name: 'Bora Yanlış',
    otp: true,
    note: 'malformed identity number (checksum)',
  },
  { customerNumber: '4000999', password: 'Demo-Banka-999', name: 'Anna Schmidt', otp: true, note: 'customer without a national identity number' },
];

export function findCustomer(customers: readonly DemoCustomer[], login: string): DemoCustomer | undefined {
  const typed = login.replace(/\s+/g, '');
  return customers.find((c) => c.customerNumber === typed || (c.nationalId !== undefined && c.nationalId === typed));
}
