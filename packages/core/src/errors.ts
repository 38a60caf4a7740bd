/** A domain error with a stable machine-readable code; adapters map codes to HTTP statuses. */
export class CoreError<C extends string = string> extends Error {
  readonly code: C;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: C, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoreError';
    this.code = code;
    this.details = details;
  }
}
