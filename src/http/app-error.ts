// One small application error. The error middleware turns it into an HTML page or
// { error, error_description }; anything else becomes a generic 500 whose message is never shown.
// `page` adds what the HTML page says beyond the message (a heading, what to do, the app concerned).
import type { ErrorPage } from './error-pages.ts';

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  readonly code: string;
  readonly expose: boolean;
  readonly page: Omit<ErrorPage, 'message'> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options?: { cause?: unknown; expose?: boolean; page?: Omit<ErrorPage, 'message'> },
  ) {
    super(message, { cause: options?.cause });
    this.status = status;
    this.code = code;
    this.expose = options?.expose ?? status < 500;
    this.page = options?.page;
  }
}

/** An AppError whose HTML page is a whole ErrorPage. */
export const pageError = (status: number, code: string, page: ErrorPage) =>
  new AppError(status, code, page.message, { page });

export const badRequest = (message: string, code = 'invalid_request') => new AppError(400, code, message);
export const notFound = (message = 'Page introuvable') => new AppError(404, 'not_found', message);
