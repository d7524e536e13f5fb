import { StatefulError } from './stateful.error';

/**
 * A reply of the wrong shape: a stored value that is not what the layout says (a pod id that is
 * not an integer, a load report without a timestamp, a key of the wrong type). Never parsed to NaN.
 */
export class MalformedReplyError extends StatefulError {
  readonly code = 'MALFORMED_REPLY';

  constructor(
    /** Where the value came from: a Redis key (and field) or a script name. */
    readonly source: string,
    readonly reason: string,
  ) {
    super(`Malformed value from ${source}: ${reason}`);
  }
}
