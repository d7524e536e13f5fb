import type { ArgumentsHost } from '@nestjs/common';
import { RedisUnavailableError, StatefulValidationError } from '../../errors';
import { ServiceExceptionFilter } from './service-exception.filter';

/** A host whose reply records what was sent; the filter needs nothing else. */
function host(sent: unknown[]): ArgumentsHost {
  const reply = {
    status: () => reply,
    send: (body: unknown) => sent.push(body),
  };
  return {
    switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ raw: {} }) }),
  } as unknown as ArgumentsHost;
}

describe('ServiceExceptionFilter', () => {
  it('logs one line a second for a Redis outage, however many requests fail, then counts the rest', () => {
    const filter = new ServiceExceptionFilter();
    const lines: string[] = [];
    (filter as unknown as { logger: { error(line: string): void } }).logger = {
      error: (line) => lines.push(line),
    };
    const sent: unknown[] = [];
    const outage = new RedisUnavailableError('GET', new Error('connect ECONNREFUSED'));
    const realNow = Date.now;
    let now = 1_000_000;
    Date.now = () => now;
    try {
      for (let i = 0; i < 500; i++) filter.catch(outage, host(sent));
      expect(lines).toHaveLength(1);
      now += 1_001;
      filter.catch(outage, host(sent));
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(/and 499 more such errors since the last line/);
    } finally {
      Date.now = realNow;
    }
    expect(sent).toHaveLength(501);
    expect(sent[0]).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Redis is unavailable',
    });
  });

  it('does not log client errors', () => {
    const filter = new ServiceExceptionFilter();
    const lines: string[] = [];
    (filter as unknown as { logger: { error(line: string): void } }).logger = {
      error: (line) => lines.push(line),
    };
    const sent: unknown[] = [];
    filter.catch(new StatefulValidationError('uid', 'bad'), host(sent));
    expect(lines).toEqual([]);
    expect(sent).toEqual([{ statusCode: 400, error: 'Bad Request', message: 'Invalid uid: bad' }]);
  });
});
