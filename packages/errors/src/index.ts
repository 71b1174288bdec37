/**
 * Errors carry a stable code and a retry verdict, so a consumer decides between "try again" (the database
 * is restarting) and "dead-letter it" (this message can never succeed) from the error, not its text.
 */
export class AnxinError extends Error {
  readonly code: string
  readonly retryable: boolean
  constructor(code: string, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause })
    this.name = 'AnxinError'
    this.code = code
    this.retryable = options.retryable
  }
}

/** A failure caused by the message itself: retrying cannot help. */
export function permanentError(code: string, message: string, cause?: unknown): AnxinError {
  return new AnxinError(code, message, { retryable: false, cause })
}

/** A failure of something the message depends on (a server, the network): retrying can help. */
export function transientError(code: string, message: string, cause?: unknown): AnxinError {
  return new AnxinError(code, message, { retryable: true, cause })
}

/** Unknown errors are treated as transient: retrying a poison message costs time, dropping a good one costs a life. */
export function isRetryable(error: unknown): boolean {
  return error instanceof AnxinError ? error.retryable : true
}

export function errorCode(error: unknown): string {
  return error instanceof AnxinError ? error.code : 'unexpected'
}
