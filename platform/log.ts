import { pino } from 'pino';

/**
 * Masks secrets inside free text: the password of any `scheme://user:password@host` URL, and the
 * value of `password=…`, `token: …` and similar pairs (as drivers and SDKs put them in messages).
 */
export function redact(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@')
    .replace(
      /\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|authorization)(["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,]+)/gi,
      '$1$2***',
    );
}

/**
 * The level from LOG_LEVEL when pino knows it (any case), else `info`: this module loads before the
 * configuration is checked, and a bad LOG_LEVEL is reported there with every other problem.
 */
function initialLevel(): string {
  const requested = process.env.LOG_LEVEL?.trim().toLowerCase();
  return requested && requested in pino.levels.values ? requested : requested === 'silent' ? 'silent' : 'info';
}

/**
 * Cairn's logger: JSON lines on stderr (pino). Secret-looking fields are censored by path, and
 * error messages have URL passwords masked, so credentials never reach a log.
 */
export const log = pino(
  {
    level: initialLevel(),
    base: { service: 'cairn' },
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'secret',
        '*.secret',
        'authorization',
        '*.authorization',
        'databaseUrl',
        'redisUrl',
        '*.databaseUrl',
        '*.redisUrl',
      ],
      censor: '***',
    },
    serializers: {
      err: (error: unknown) => {
        const serialized = pino.stdSerializers.err(error as Error);
        return {
          ...serialized,
          message: redact(serialized.message),
          stack: serialized.stack && redact(serialized.stack),
        };
      },
    },
  },
  pino.destination(2),
);
