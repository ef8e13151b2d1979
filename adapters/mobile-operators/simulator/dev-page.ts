// ============================================================================================
//  SIMULATOR — NEVER PRODUCTION. The simulator's dev page: the "phone" of every pending transaction,
//  where a person approves or rejects by hand (numbers with the `manual` behaviour wait for this).
// ============================================================================================

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderDevPage(pending: { id: string; operator: string; msisdn: string; dataToBeDisplayed: string }[], token: string): string {
  const rows = pending
    .map(
      (t) => `
    <li>
      <h2>${escapeHtml(t.msisdn)} <small>(${escapeHtml(t.operator)})</small></h2>
      <p class="screen" aria-label="Phone screen">${escapeHtml(t.dataToBeDisplayed)}</p>
      <form method="post" action="/dev/transactions/${escapeHtml(t.id)}">
        <input type="hidden" name="token" value="${escapeHtml(token)}">
        <button type="submit" name="decision" value="approve">Approve (sign with PIN)</button>
        <button type="submit" name="decision" value="cancel">Reject</button>
      </form>
    </li>`,
    )
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>MSSP simulator: phones</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}ul{list-style:none;padding:0}li{border:1px solid #888;border-radius:8px;padding:1rem;margin:1rem 0}.screen{font-family:monospace;background:#eef;padding:.5rem}button{margin-right:.5rem;padding:.5rem 1rem}</style></head>
<body><main>
<h1>MSSP simulator: pending signature requests</h1>
<p>Test material, never production. Numbers and their behaviours are listed in Kapı's README ("Mobile signature"). Reload to see new requests.</p>
${pending.length ? `<ul>${rows}</ul>` : '<p>No pending request.</p>'}
</main></body></html>`;
}
