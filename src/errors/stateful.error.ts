/** Base class of every error the library throws on purpose; `instanceof StatefulError` catches them all. */
export abstract class StatefulError extends Error {
  /** A stable machine-readable code, also used by the HTTP layer and the metrics. */
  abstract readonly code: string;

  protected constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
