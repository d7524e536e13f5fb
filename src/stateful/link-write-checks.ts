import type { StatefulKeys } from '../core/stateful-keys';
import * as check from '../core/validators';

/**
 * A link write's arguments checked (the pod only when given), in the order the fields are named:
 * the rejection an `async` method would return for bad input, or undefined.
 */
export function badLinkWrite(
  keys: StatefulKeys,
  namespace: string,
  uid: string,
  serviceName: string,
  podId: number | undefined,
  persistSeconds: number,
): Promise<never> | undefined {
  try {
    keys.assertLink(namespace, uid, serviceName);
    if (podId !== undefined) check.assertPodId(podId);
    check.assertPersistSeconds(persistSeconds);
    return undefined;
  } catch (error) {
    return check.rejected(error);
  }
}
