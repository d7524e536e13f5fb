import type { Attributes } from '@opentelemetry/api';
import { inOperationSpan, tracingInstalled } from './operation-spans';

/** Where an operation's arguments name the service and the user (the namespace is always first). */
export interface OperationShape {
  service?: number;
  uid?: number;
}

/** The attributes of an operation's span; the uid only when asked for (`traceUids`). */
export function operationAttributes(
  operation: string,
  shape: OperationShape,
  args: readonly unknown[],
  traceUids: boolean,
): Attributes {
  const attributes: Attributes = {
    'stateful.operation': operation,
    'stateful.namespace': String(args[0]),
  };
  if (shape.service !== undefined) attributes['stateful.service'] = String(args[shape.service]);
  if (traceUids && shape.uid !== undefined) attributes['enduser.id'] = String(args[shape.uid]);
  return attributes;
}

/**
 * Runs each named method of `prototype` in its operation span. The instance says whether uids may
 * be traced (`traceUids`).
 */
export function traceOperations(
  prototype: object,
  shapes: Readonly<Record<string, OperationShape>>,
): void {
  const methods = prototype as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const [operation, shape] of Object.entries(shapes)) {
    const original = methods[operation];
    // Five parameters, not a rest array: without an SDK this wrapper is all the hot path pays.
    methods[operation] = function (
      this: { traceUids?: boolean },
      a: unknown,
      b: unknown,
      c: unknown,
      d: unknown,
      e: unknown,
    ) {
      if (!tracingInstalled()) return original.call(this, a, b, c, d, e);
      const args = [a, b, c, d, e];
      return inOperationSpan(
        operation,
        () => operationAttributes(operation, shape, args, this.traceUids === true),
        () => original.call(this, a, b, c, d, e),
      );
    };
  }
}
