import { pino, type Logger } from 'pino';

// Paths that could ever carry a secret are censored even if a careless caller logs a whole object.
const REDACT = [
  'password', '*.password', 'newPassword', '*.newPassword', 'pin', '*.pin', 'otp', '*.otp', 'code', '*.code',
  'token', '*.token', 'access_token', '*.access_token', 'refresh_token', '*.refresh_token', 'id_token', '*.id_token',
  'client_secret', '*.client_secret', 'secret', '*.secret', 'privateKey', '*.privateKey', 'd', '*.d',
  'req.headers.authorization', 'req.headers.cookie', 'req.headers.dpop', 'res.headers["set-cookie"]',
];

export function createLogger(level = process.env.KAPI_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'kapi' } });
}

export const log: Logger = createLogger();
export type { Logger };
