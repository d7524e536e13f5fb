import { HttpException, NotFoundException } from '@nestjs/common';
import { RedisUnavailableError, StatefulValidationError } from '../../errors';
import { errorType, toHttpError } from './http-error';

describe('toHttpError', () => {
  it('answers the library errors as any host app does (statefulErrorToHttp)', () => {
    expect(toHttpError(new StatefulValidationError('uid', 'bad'))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Invalid uid: bad',
    });
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
    expect(
      toHttpError(
        Object.assign(new Error('Unsupported Media Type'), {
          statusCode: 415,
          code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        }),
      ),
    ).toEqual({
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: 'Unsupported Media Type: send the body as application/json',
    });
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
