import { pino } from 'pino';

/**
 * Masks secrets inside free text: the password of any `scheme://user:password@host` URL, and the
 * value of `password=…`, `token: …` and similar pairs (as drivers and SDKs put them in messages).
 */
export function redact(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@')
    .replace(/\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|authorization)(["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,]+)/gi, '$1$2***');
}

/**
 * Cairn's logger: JSON lines on stderr (pino). Secret-looking fields are censored by path, and
 * error messages have URL passwords masked, so credentials never reach a log.
 */
export const log = pino(
  {
    level: process.env.LOG_LEVEL ?? 'info',
    base: { service: 'cairn' },
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'secret', '*.secret', 'authorization', '*.authorization', 'databaseUrl', 'redisUrl', '*.databaseUrl', '*.redisUrl'],
      censor: '***',
    },
    serializers: {
      err: (error: unknown) => {
        const serialized = pino.stdSerializers.err(error as Error);
        return { ...serialized, message: redact(serialized.message), stack: serialized.stack && redact(serialized.stack) };
      },
    },
  },
  pino.destination(2),
);
