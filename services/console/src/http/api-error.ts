/** A refusal the client can understand: the HTTP status, a stable code the UI translates, and a plain message. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string

  constructor(status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

export const notFound = (what: string): ApiError => new ApiError(404, 'not_found', `no such ${what}`)
export const forbidden = (message = 'your role may not do this'): ApiError => new ApiError(403, 'forbidden', message)
