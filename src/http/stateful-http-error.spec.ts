import {
  MalformedReplyError,
  NoAvailablePodError,
  RedisUnavailableError,
  ScriptError,
  StatefulValidationError,
} from '../errors';
import { statefulErrorToHttp } from './stateful-http-error';

describe('statefulErrorToHttp', () => {
  it('maps each library error to the status the service answers with, without Redis details', () => {
    expect(statefulErrorToHttp(new StatefulValidationError('uid', 'bad'))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Invalid uid: bad',
    });
    expect(statefulErrorToHttp(new NoAvailablePodError('prod', 'game'))).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'No available pod for service game in namespace prod',
    });
    expect(
      statefulErrorToHttp(
        new RedisUnavailableError('GET', new Error('ECONNREFUSED 10.0.0.1:6379')),
      ),
    ).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'Redis is unavailable' });
    expect(
      statefulErrorToHttp(
        new RedisUnavailableError('GET', new Error('WRONGPASS invalid'), 'authentication failed'),
      ).message,
    ).toBe('Redis is unavailable: authentication failed');
    // durability: the write may or may not have been kept; the client retries.
    expect(
      statefulErrorToHttp(
        new RedisUnavailableError(
          'statefulSetLink',
          new Error('0 of 1'),
          'not confirmed by replicas',
        ),
      ),
    ).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Redis is unavailable: not confirmed by replicas',
    });
    expect(statefulErrorToHttp(new MalformedReplyError('sf:{a:lk:b}c', 'x'))).toMatchObject({
      statusCode: 500,
      message: 'stored data is malformed',
    });
    expect(statefulErrorToHttp(new ScriptError('statefulSetLink', new Error('ERR')))).toMatchObject(
      {
        statusCode: 500,
        message: 'Redis rejected the operation',
      },
    );
  });
});
