import { duplicateJsonKey } from './duplicate-json-key';

describe('duplicateJsonKey', () => {
  it('finds a key given twice in one object, at any depth', () => {
    expect(duplicateJsonKey('{"podId":3,"mode":"try","mode":"set"}')).toBe('mode');
    expect(duplicateJsonKey('{"a":{"b":1,"b":2}}')).toBe('b');
    expect(duplicateJsonKey('{"a":[{"x":1},{"x":2,"x":3}]}')).toBe('x');
    // The same name written with an escape is the same key.
    expect(duplicateJsonKey('{"mode":"try","mo\\u0064e":"set"}')).toBe('mode');
  });

  it('lets the same key in different objects, and strings that look like keys, through', () => {
    expect(duplicateJsonKey('{"a":{"x":1},"b":{"x":2}}')).toBeUndefined();
    expect(duplicateJsonKey('[{"x":1},{"x":2}]')).toBeUndefined();
    expect(duplicateJsonKey('{"uids":["mode","mode"],"mode":"set"}')).toBeUndefined();
    expect(duplicateJsonKey('{"a":"\\"b\\":","b":1}')).toBeUndefined();
    expect(duplicateJsonKey(' { "podId" : 3 , "persistSeconds" : -1 } ')).toBeUndefined();
    expect(duplicateJsonKey('7')).toBeUndefined();
  });
});
