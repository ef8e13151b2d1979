import { readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { SignerError, cardError, usageError } from './errors.js';

// Questions go to stderr (stdout stays for the result, which --json makes machine-readable), answers
// come from the terminal. The PIN is read in raw mode so it is never echoed, and never taken from the
// command line, where `ps` and shell history would show it.

const out = process.stderr;

/** Asks one line. Ctrl+C or Ctrl+D cancels. */
export function askLine(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: process.stdin, output: out, terminal: process.stdin.isTTY === true });
    let answered = false;
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => {
      if (!answered) {
        out.write('\n');
        reject(cardError('cancelled'));
      }
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(answer.trim());
    });
  });
}

/** Asks to pick one of `items` (shown numbered); returns its index. */
export async function choose(title: string, items: string[], ask: (max: number) => string): Promise<number> {
  out.write(`${title}\n`);
  items.forEach((item, i) => {
    out.write(`  ${i + 1}) ${item}\n`);
  });
  for (;;) {
    const answer = await askLine(ask(items.length));
    const n = Number(answer);
    if (Number.isInteger(n) && n >= 1 && n <= items.length) return n - 1;
  }
}

/**
 * Reads a secret from the terminal without echo (a `*` per character, so the person sees the keys
 * land). Backspace edits; Enter ends; Ctrl+C / Ctrl+D (on an empty line) cancel.
 */
export function askSecret(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.reject(new SignerError('pin_required', {}, { exitCode: 2 }));
  return new Promise((resolve, reject) => {
    let secret = '';
    const finish = (error?: SignerError) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      out.write('\n');
      if (error) reject(error);
      else resolve(secret);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || (char === '\u0004' && secret === '')) return finish(cardError('cancelled'));
        if (char === '\u007f' || char === '\b') {
          if (secret.length > 0) {
            secret = secret.slice(0, -1);
            out.write('\b \b');
          }
        } else if (char >= ' ') {
          secret += char;
          out.write('*');
        }
      }
    };
    out.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** First line of a file, without its line end. Warns when others may read the file. */
export function readPinFile(path: string, warn: () => void): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
    if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) warn();
  } catch {
    throw usageError('pin_file_unreadable', { path });
  }
  return firstLine(text);
}

/** First line of standard input; stops reading there, so the process can exit without waiting for EOF. */
export function readStdinLine(): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const stdin = process.stdin;
    const done = () => {
      stdin.off('data', onData);
      stdin.off('end', done);
      stdin.pause();
      resolve(firstLine(text));
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('\n')) done();
    };
    stdin.on('data', onData);
    stdin.on('end', done);
    stdin.resume();
  });
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/\r$/, '');
}
