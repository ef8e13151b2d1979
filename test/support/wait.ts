/**
 * Waits until `check` holds, asking every 50 ms for at most `ms`; then fails naming `what`. A check that
 * throws counts as "not yet" (a server still starting refuses connections): its last error is in the
 * failure.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 5000, what = 'the condition'): Promise<void> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not happen within ${ms} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
