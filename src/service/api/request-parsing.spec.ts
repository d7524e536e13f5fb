import { StatefulValidationError } from '../../errors';
import {
  integerParam,
  listParam,
  namedAsRequest,
  optionalIntegerParam,
  strictBody,
  strictQuery,
} from './request-parsing';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(StatefulValidationError);
    return (error as StatefulValidationError).message;
  }
  throw new Error('expected a refusal');
}

describe('request parsing', () => {
  it('reads canonical integers only: no -0, no leading zeros, no sign on +, no empty value', () => {
    expect(integerParam('0', 'podId')).toBe(0);
    expect(integerParam('-1', 'podId')).toBe(-1);
    expect(integerParam('42', 'podId')).toBe(42);
    for (const raw of ['-0', '007', '+1', '', '1e3', ' 1', '1.0', '9007199254740993']) {
      expect(refusal(() => integerParam(raw, 'podId'))).toBe('Invalid podId: must be an integer');
    }
    expect(optionalIntegerParam(undefined, 'podId')).toBeUndefined();
  });

  it('refuses unknown, repeated and empty query parameters, naming them', () => {
    expect(strictQuery({ podId: '3' }, ['podId', 'persistSeconds'])).toEqual({ podId: '3' });
    expect(strictQuery(undefined, [])).toEqual({});
    expect(refusal(() => strictQuery({ podid: '7' }, ['podId', 'persistSeconds']))).toBe(
      'Invalid podid: is not a query parameter of this route (expected podId, persistSeconds)',
    );
    expect(refusal(() => strictQuery({ podId: '' }, ['podId']))).toBe(
      'Invalid podId: must not be empty',
    );
    expect(refusal(() => strictQuery({ podId: ['1', '2'] }, ['podId']))).toBe(
      'Invalid podId: must be given once',
    );
    expect(refusal(() => strictQuery({ x: '1' }, []))).toBe(
      'Invalid x: is not a query parameter of this route (it takes none)',
    );
  });

  it('refuses unknown body fields and -0 anywhere in the body, naming them', () => {
    expect(strictBody({ podId: 3 }, ['podId', 'persistSeconds'])).toEqual({ podId: 3 });
    expect(strictBody(undefined, [], { optional: true })).toEqual({});
    expect(
      refusal(() => strictBody({ podId: 3, persistSecond: 60 }, ['podId', 'persistSeconds'])),
    ).toBe('Invalid persistSecond: is not a field of this body (expected podId, persistSeconds)');
    expect(refusal(() => strictBody(JSON.parse('{"podId":-0}'), ['podId']))).toBe(
      'Invalid podId: must not be -0',
    );
    expect(refusal(() => strictBody(JSON.parse('{"excludePods":[1,-0]}'), ['excludePods']))).toBe(
      'Invalid excludePods[1]: must not be -0',
    );
    expect(refusal(() => strictBody([], ['podId']))).toBe('Invalid body: must be a JSON object');
    expect(refusal(() => strictBody(undefined, ['podId']))).toBe(
      'Invalid body: must be a JSON object',
    );
  });

  it('refuses null for any body field: a field is given with a value, or not given', () => {
    expect(refusal(() => strictBody({ persistSeconds: null }, ['persistSeconds']))).toBe(
      'Invalid persistSeconds: must not be null',
    );
  });

  it('names a refused library argument as the request names it', async () => {
    const refuse = (field: string) => () =>
      Promise.reject(new StatefulValidationError(field, 'bad'));
    await expect(namedAsRequest('options.', '', refuse('options.maxLoad'))).rejects.toMatchObject({
      field: 'maxLoad',
      message: 'Invalid maxLoad: bad',
    });
    await expect(
      namedAsRequest('serviceNames', 'services', refuse('serviceNames[2]')),
    ).rejects.toMatchObject({
      field: 'services[2]',
    });
    await expect(namedAsRequest('options.', '', refuse('uid'))).rejects.toMatchObject({
      field: 'uid',
    });
    await expect(namedAsRequest('options.', '', () => Promise.resolve(7))).resolves.toBe(7);
  });

  it('bounds lists', () => {
    expect(listParam('a,b', 'services', 2)).toEqual(['a', 'b']);
    expect(refusal(() => listParam('a,b,c', 'services', 2))).toBe(
      'Invalid services: must list at most 2',
    );
  });
});
