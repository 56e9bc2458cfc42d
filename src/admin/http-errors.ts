import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { isMailError, type MailErrorKind } from '../errors.js';

/**
 * One error shape for every admin answer: `{error: {code, message}}`
 * (docs/admin-api.md). Messages are for the owner; causes and stacks go to
 * the log only (T78: no stack traces in bodies).
 */

/** An error that already knows its HTTP answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The JSON body of an error answer. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** Builds the error body. Pure. */
export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Sends an error answer (status, headers, body). */
export function sendError(reply: FastifyReply, err: HttpError): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply.code(err.status).type('application/json; charset=utf-8').send(errorBody(err.code, err.message));
}

const KIND_STATUS: Record<MailErrorKind, [number, string]> = {
  invalid: [400, 'bad_request'],
  notFound: [404, 'not_found'],
  exists: [409, 'exists'],
  inUse: [409, 'in_use'],
  overQuota: [409, 'over_quota'],
  tooBig: [413, 'too_large'],
  denied: [403, 'forbidden'],
  expunged: [404, 'not_found'],
  limit: [429, 'rate_limited'],
  temporary: [503, 'unavailable'],
};

/** Fastify's own error codes that are the client's fault, and how we answer them. */
const FASTIFY_CODES: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'send the request body as application/json'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'too_large', 'the request body is too large'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'bad_request', 'the request body is empty; send {} when there is nothing to say'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'bad_request', 'the request body is not valid JSON'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request', 'the Content-Length does not match the body'],
};

/** Maps any thrown value to an `HttpError`. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (isMailError(err)) {
    const [status, code] = KIND_STATUS[err.kind];
    return new HttpError(status, code, err.message);
  }
  const fe = err as Partial<FastifyError> & { validation?: unknown; validationContext?: string };
  if (fe && fe.validation) {
    return new HttpError(400, 'bad_request', `invalid input: ${fe.message ?? 'does not match the schema'}`);
  }
  if (fe && typeof fe.code === 'string') {
    const known = FASTIFY_CODES[fe.code];
    if (known) return new HttpError(known[0], known[1], known[2]);
    if (fe.code === 'FST_ERR_BAD_URL' || fe.code === 'FST_ERR_ASYNC_CONSTRAINT') return new HttpError(400, 'bad_request', 'malformed request');
  }
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new HttpError(fe.statusCode, 'bad_request', 'malformed request');
  }
  return new HttpError(500, 'internal', 'something went wrong on the box; the log has details');
}

/** Installs the error and not-found handlers on the root instance. */
export function installErrorHandlers(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err, request, reply) => {
    const httpErr = toHttpError(err);
    if (httpErr.status >= 500) log.error({ err, method: request.method, url: request.routeOptions.url }, 'admin: request failed');
    return sendError(reply, httpErr);
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, new HttpError(404, 'not_found', 'no such page')));
}
