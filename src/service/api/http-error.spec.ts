import { HttpException, NotFoundException } from '@nestjs/common';
import {
  MalformedReplyError,
  NoAvailablePodError,
  RedisUnavailableError,
  ScriptError,
  StatefulValidationError,
} from '../../errors';
import { errorType, toHttpError } from './http-error';

describe('toHttpError', () => {
  it('maps the library errors to SPEC §5 statuses without Redis details', () => {
    expect(toHttpError(new StatefulValidationError('uid', 'bad'))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Invalid uid: bad',
    });
    expect(toHttpError(new NoAvailablePodError('ns', 'svc')).statusCode).toBe(503);
    expect(
      toHttpError(new RedisUnavailableError('GET', new Error('ECONNREFUSED 10.0.0.1:6379'))),
    ).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Redis is unavailable',
    });
    expect(toHttpError(new MalformedReplyError('sf:{a:lk:b}c', 'x')).message).toBe(
      'stored data is malformed',
    );
    expect(
      toHttpError(new ScriptError('statefulSetLink', new Error('ERR at line 3'))).statusCode,
    ).toBe(500);
  });

  it('keeps HTTP exceptions and Fastify client errors, hides anything else', () => {
    expect(toHttpError(new NotFoundException('no link'))).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'no link',
    });
    expect(toHttpError(new HttpException({ message: ['a', 'b'] }, 400)).message).toBe('a; b');
    expect(
      toHttpError(Object.assign(new Error('Unexpected end of JSON'), { statusCode: 400 }))
        .statusCode,
    ).toBe(400);
    expect(toHttpError(new Error('secret internals'))).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal Server Error',
    });
  });

  it('labels errors for metrics', () => {
    expect(errorType(new RedisUnavailableError('GET', 'x'))).toBe('REDIS_UNAVAILABLE');
    expect(errorType(new NotFoundException())).toBe('HTTP_404');
  });
});
