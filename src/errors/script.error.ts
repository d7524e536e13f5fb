import { StatefulError } from './stateful.error';

/** Redis answered a Lua script or command with an error that is neither bad data nor unavailability. */
export class ScriptError extends StatefulError {
  readonly code = 'SCRIPT_FAILED';

  constructor(
    /** The script's name (e.g. `statefulSetLink`) or the command's (e.g. `HGETALL`). */
    readonly script: string,
    cause: unknown,
  ) {
    super(`Redis rejected ${script}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}
