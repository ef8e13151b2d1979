import { appendFileSync } from 'node:fs';
import { pino, type DestinationStream, type Logger } from 'pino';

// Paths that could ever carry a secret are censored even if a careless caller logs a whole object.
const REDACT = [
  'password',
  '*.password',
  'newPassword',
  '*.newPassword',
  'pin',
  '*.pin',
  'otp',
  '*.otp',
  'code',
  '*.code',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'id_token',
  '*.id_token',
  'client_secret',
  '*.client_secret',
  'secret',
  '*.secret',
  'privateKey',
  '*.privateKey',
  'd',
  '*.d',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers.dpop',
  'res.headers["set-cookie"]',
];

/**
 * Where log lines go: standard output (fd 1, asynchronous) unless redirected. Tests redirect it to
 * read every line Kapı writes and prove that no secret is among them.
 */
let target: DestinationStream = pino.destination({ dest: 1, sync: false });

export function redirectLogs(stream: DestinationStream | undefined): void {
  target = stream ?? pino.destination({ dest: 1, sync: false });
}

/**
 * KAPI_LOG_COPY_FILE: every line at every level (trace and up, whatever KAPI_LOG_LEVEL says) is also
 * appended to this file. The test run sets it and scans the copies of the whole run for secrets
 * (test/support/global-teardown.ts). Appended synchronously, so a process that ends abruptly (a killed
 * child, jest's forceExit) loses no line. A test facility: trace lines may carry personal data.
 */
const copyFile = process.env.KAPI_LOG_COPY_FILE || undefined;

const levelValue = (level: string): number => (level === 'silent' ? Infinity : (pino.levels.values[level] ?? 30));

export function createLogger(level = process.env.KAPI_LOG_LEVEL ?? 'info'): Logger {
  let shown = level;
  let shownFrom = levelValue(level);
  // pino reports each line's level to a stream that asks for metadata (the way its multistream works).
  const destination = {
    [pino.symbols.needsMetadataGsym]: true as const,
    lastLevel: 0,
    write(line: string) {
      if (!copyFile) return target.write(line); // the logger's own level has filtered already
      appendFileSync(copyFile, line);
      if (destination.lastLevel >= shownFrom) target.write(line);
    },
  };
  const logger = pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'kapi' } }, destination as unknown as DestinationStream);
  if (copyFile) {
    // The logger itself runs at trace so that the copy gets every line; `level`, `levelVal` and
    // `isLevelEnabled` (set by createKapi and the CLI from KAPI_LOG_LEVEL, read by the CLI to decide on
    // stack traces) keep meaning what the ordinary destination shows.
    const setLevel = (logger as unknown as Record<symbol, (l: string) => void>)[pino.symbols.setLevelSym]!.bind(logger);
    Object.defineProperties(logger, {
      level: {
        configurable: true,
        get: () => shown,
        set: (next: string) => {
          setLevel(next); // throws on an unknown level, as pino does
          shown = next;
          shownFrom = levelValue(next);
          setLevel('trace');
        },
      },
      levelVal: { configurable: true, get: () => shownFrom },
      isLevelEnabled: { configurable: true, value: (asked: string) => (pino.levels.values[asked] ?? -Infinity) >= shownFrom },
    });
    logger.level = level;
  }
  return logger;
}

export const log: Logger = createLogger();
export type { Logger };
