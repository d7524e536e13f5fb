import type { FastifyInstance } from 'fastify';
import { StatefulValidationError } from '../../errors';
import { duplicateJsonKey } from './duplicate-json-key';

/** A 415 that the exception filter answers with the docs/http-api.md body. */
class UnsupportedMediaTypeError extends Error {
  readonly statusCode = 415;
}

/**
 * Bodies are JSON in UTF-8 and nothing else. Every other parser goes (Nest's form parser is never
 * registered: a cross-site HTML form must not be able to write), so any other content type is a
 * 415; invalid UTF-8 is a 400 rather than being stored as U+FFFD; a key given twice in one object
 * is a 400 naming it (JSON.parse would keep the last); and `__proto__` keys are refused, as by
 * Fastify's own JSON parser.
 */
export function installJsonBodyParser(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '');
    if (charset && !/^utf-?8$/i.test(charset[1])) {
      done(new UnsupportedMediaTypeError(`charset ${charset[1]} is not supported: send UTF-8`));
      return;
    }
    let text: string;
    try {
      text = utf8.decode(raw as Buffer);
    } catch {
      done(new StatefulValidationError('body', 'must be valid UTF-8'));
      return;
    }
    void parseJson(request, text, (error, body) => {
      if (error) {
        done(new StatefulValidationError('body', `is not valid JSON (${error.message})`));
        return;
      }
      const duplicate = duplicateJsonKey(text);
      if (duplicate !== undefined) {
        done(new StatefulValidationError(duplicate, 'is given twice in the body'));
        return;
      }
      done(null, body);
    });
  });
}
