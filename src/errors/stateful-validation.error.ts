import { StatefulError } from './stateful.error';

/** Bad input, found before Redis is touched. `field` names the argument, `reason` says what is wrong. */
export class StatefulValidationError extends StatefulError {
  readonly code = 'VALIDATION_FAILED';

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`Invalid ${field}: ${reason}`);
  }
}
