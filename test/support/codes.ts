/** The six-digit one-time code in a message (an SMS or e-mail from the outbox); fails when there is none. */
export function codeIn(text: string | undefined): string {
  const m = /\b(\d{6})\b/.exec(text ?? '');
  if (!m) throw new Error(`no code in: ${text}`);
  return m[1]!;
}
