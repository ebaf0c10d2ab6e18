import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type express from 'express';
import { log } from '../platform/log.ts';

/** Largest GraphQL request body express.json accepts (413 past it). */
export const GRAPHQL_BODY_LIMIT = '10mb';

/** An error answer in the shape of a GraphQL error, whatever the route: never a stack or a path. */
export function sendError(res: express.Response, status: number, code: string, message: string) {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** What a body-parser refusal (`type`) tells the caller; its own messages may quote the body. */
const BODY_ERRORS: Record<string, { code: string; message: string }> = {
  'entity.parse.failed': { code: 'BAD_REQUEST', message: 'the request body is not valid JSON' },
  'entity.too.large': {
    code: 'PAYLOAD_TOO_LARGE',
    message: `the request body is over the limit of ${GRAPHQL_BODY_LIMIT}`,
  },
  'entity.verify.failed': { code: 'BAD_REQUEST', message: 'the request body was refused' },
  'request.aborted': { code: 'BAD_REQUEST', message: 'the request body ended early' },
  'request.size.invalid': { code: 'BAD_REQUEST', message: 'the request body does not match its content-length' },
  'charset.unsupported': { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'the request body must be UTF-8' },
  'encoding.unsupported': {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'unsupported content-encoding (identity, gzip, deflate or br)',
  },
};

/**
 * The last express handler: every error of every route (body parser, static files, anything thrown)
 * answers JSON in the GraphQL error shape. A client's mistake keeps its 4xx status; anything else is
 * logged with an error id and answered as an opaque 500.
 */
export function answerError(error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) {
  if (res.headersSent) return next(error);
  const { status, type } = error as { status?: unknown; statusCode?: unknown; type?: unknown };
  const known = typeof type === 'string' ? BODY_ERRORS[type] : undefined;
  const httpStatus = typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
  if (known) return sendError(res, httpStatus, known.code, known.message);
  if (httpStatus === 404) return sendError(res, 404, 'NOT_FOUND', 'nothing is served at this address');
  if (httpStatus < 500) return sendError(res, httpStatus, 'BAD_REQUEST', 'the request was refused');
  const errorId = randomUUID().slice(0, 8);
  log.error({ errorId, err: error }, 'unexpected error in an http route');
  sendError(res, 500, 'INTERNAL_SERVER_ERROR', `internal error (error id ${errorId})`);
}

export function refuseHost(res: ServerResponse) {
  const body = JSON.stringify({
    errors: [
      { message: 'this host name is not allowed (add it to CAIRN_ALLOWED_HOSTS)', extensions: { code: 'FORBIDDEN' } },
    ],
  });
  res.writeHead(403, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

/** A request Node's parser refused (a malformed request line, headers too large): the same JSON shape. */
export function answerClientError(error: Error & { code?: string }, socket: Duplex) {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify({ errors: [{ message: 'malformed HTTP request', extensions: { code: 'BAD_REQUEST' } }] });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
