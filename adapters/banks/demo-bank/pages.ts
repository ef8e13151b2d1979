import { DEMO_OTP, type DemoCustomer } from './customers.js';

// The demo bank's own pages: plain HTML, clearly marked as a demo so nobody types a real bank
// password into it. It is a separate site from Kapı (own origin, own styles).

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;background:#f6f1fa;color:#1b1b1b}
.demo{background:#b00020;color:#fff;padding:.75rem 1rem;font-weight:700;text-align:center}
header{background:#6a1b9a;color:#fff;padding:1rem;display:flex;gap:.75rem;align-items:center;font-size:1.25rem}
main{max-width:40rem;margin:1.5rem auto;padding:0 1rem}
label{display:block;margin-top:1rem;font-weight:600}
input{font-size:1rem;padding:.5rem;width:100%;max-width:20rem;box-sizing:border-box}
button{margin-top:1.25rem;font-size:1rem;padding:.6rem 1.2rem;margin-right:.5rem}
.error{background:#fdecea;border-left:4px solid #b00020;padding:.75rem}
table{border-collapse:collapse;margin-top:1rem;font-size:.9rem}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}`;

export function loginPage(input: { bankName: string; uid: string; clientName: string; error?: string; customers: readonly DemoCustomer[] }): string {
  const rows = input.customers
    .map(
      (c) =>
        `<tr><td>${escapeHtml(c.customerNumber)}</td><td>${escapeHtml(c.nationalId ?? '—')}</td><td>${escapeHtml(c.password)}</td><td>${c.otp ? 'yes' : 'no'}</td><td>${escapeHtml(c.note)}</td></tr>`,
    )
    .join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.bankName)} (DEMO) · Online banking login</title><style>${STYLE}</style></head>
<body>
<p class="demo" role="note">DEMO BANK: not a real bank. Never type a real password here. / DEMO BANKA: gerçek bir banka değildir.</p>
<header><img src="/logo.svg" alt="" width="32" height="32"><span>${escapeHtml(input.bankName)}</span></header>
<main>
<h1>Online banking login</h1>
<p>${escapeHtml(input.clientName)} asks us to confirm who you are. We tell it who you are; we do not tell it your customer number or password.</p>
${input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : ''}
<form method="post" action="/login/${escapeHtml(input.uid)}">
<label for="login">Customer number or national ID number</label>
<input id="login" name="login" autocomplete="username" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<label for="otp">One-time code (demo code: ${DEMO_OTP})</label>
<input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code">
<button type="submit" name="action" value="login">Sign in</button>
<button type="submit" name="action" value="cancel" formnovalidate>Cancel and go back</button>
</form>
<h2>Demo customers</h2>
<table><thead><tr><th>Customer no.</th><th>National ID</th><th>Password</th><th>One-time code</th><th>Shows</th></tr></thead><tbody>${rows}</tbody></table>
</main></body></html>`;
}
