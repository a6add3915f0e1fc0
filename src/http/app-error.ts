// One small application error. The error middleware turns it into an HTML page or
// { error, error_description }; anything else becomes a generic 500 whose message is never shown.
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  readonly code: string;
  readonly expose: boolean;

  constructor(
    status: number,
    code: string,
    message: string,
    options?: { cause?: unknown; expose?: boolean },
  ) {
    super(message, { cause: options?.cause });
    this.status = status;
    this.code = code;
    this.expose = options?.expose ?? status < 500;
  }
}

export const badRequest = (message: string, code = 'invalid_request') => new AppError(400, code, message);
export const notFound = (message = 'Page introuvable') => new AppError(404, 'not_found', message);
