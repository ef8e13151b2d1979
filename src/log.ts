import { pino, type DestinationStream, type Logger } from 'pino';

// Paths that could ever carry a secret are censored even if a careless caller logs a whole object.
const REDACT = [
  'password', '*.password', 'newPassword', '*.newPassword', 'pin', '*.pin', 'otp', '*.otp', 'code', '*.code',
  'token', '*.token', 'access_token', '*.access_token', 'refresh_token', '*.refresh_token', 'id_token', '*.id_token',
  'client_secret', '*.client_secret', 'secret', '*.secret', 'privateKey', '*.privateKey', 'd', '*.d',
  'req.headers.authorization', 'req.headers.cookie', 'req.headers.dpop', 'res.headers["set-cookie"]',
];

/**
 * Where log lines go: standard output (fd 1, asynchronous) unless redirected. Tests redirect it to
 * read every line Kapı writes and prove that no secret is among them.
 */
let target: DestinationStream = pino.destination({ dest: 1, sync: false });
const destination: DestinationStream = { write: (line: string) => target.write(line) };

export function redirectLogs(stream: DestinationStream | undefined): void {
  target = stream ?? pino.destination({ dest: 1, sync: false });
}

export function createLogger(level = process.env.KAPI_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'kapi' } }, destination);
}

export const log: Logger = createLogger();
export type { Logger };
