import { ReplyError } from 'ioredis';
import { MalformedReplyError } from './malformed-reply.error';
import { RedisUnavailableError } from './redis-unavailable.error';
import { ScriptError } from './script.error';
import { StatefulValidationError } from './stateful-validation.error';
import { translateRedisError } from './translate-redis-error';

describe('translateRedisError', () => {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-call
  const reply = (message: string): Error => new ReplyError(message) as Error;

  it('maps transport failures to RedisUnavailableError', () => {
    const error = translateRedisError(new Error('Connection is closed.'), 'GET');
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.message).toBe('Redis unavailable during GET: Connection is closed.');
    expect(translateRedisError('odd', 'GET')).toBeInstanceOf(RedisUnavailableError);
  });

  it.each([
    'LOADING Redis is loading',
    'READONLY replica',
    'CLUSTERDOWN',
    'TRYAGAIN',
    'MASTERDOWN',
    'BUSY script',
  ])('maps %s to RedisUnavailableError', (message) =>
    expect(translateRedisError(reply(message), 'x')).toBeInstanceOf(RedisUnavailableError),
  );

  it('maps WRONGTYPE to MalformedReplyError and other replies to ScriptError', () => {
    expect(translateRedisError(reply('WRONGTYPE Operation against a key'), 'GET')).toBeInstanceOf(
      MalformedReplyError,
    );
    const script = translateRedisError(reply('ERR user_script:1: oops'), 'statefulSetLink');
    expect(script).toBeInstanceOf(ScriptError);
    expect((script as ScriptError).script).toBe('statefulSetLink');
    expect(script.code).toBe('SCRIPT_FAILED');
  });

  it('passes the library’s own errors through', () => {
    const own = new StatefulValidationError('uid', 'bad');
    expect(translateRedisError(own, 'x')).toBe(own);
  });
});
