import type { IncomingMessage, ServerResponse } from 'node:http';
import { log } from '../platform/log.ts';
import type { InferenceRouter } from './router.ts';

const PREDICT = /^\/endpoints\/([^/?]+)\/predict\/?(?:\?.*)?$/;
const V2_MODEL = /^\/v2\/models\/([^/?]+)(\/infer|\/ready)?\/?(?:\?.*)?$/;

/**
 * The router's HTTP routes, taken before the gateway's express app sees the request: the hot path
 * skips express's middleware chain (a measurable share of the router's overhead). Answers whether
 * it took the request; anything else (wrong method included) goes on to express.
 *   POST /endpoints/{name}/predict   POST /v2/models/{name}/infer
 *   GET  /v2/models/{name}           GET  /v2/models/{name}/ready     GET /metrics
 */
export function inferenceRequestHandler(
  router: InferenceRouter,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const run = (res: ServerResponse, work: Promise<void>) =>
    work.catch((error: unknown) => {
      log.error({ err: error }, 'inference route failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'internal error' } }));
    });
  return (req, res) => {
    const url = req.url ?? '';
    const method = req.method;
    if (url.startsWith('/endpoints/')) {
      const match = method === 'POST' ? PREDICT.exec(url) : null;
      const name = match && decodeName(match[1]!);
      if (!name) return false;
      run(res, router.handleInference(req, res, name, 'predict'));
      return true;
    }
    if (url.startsWith('/v2/models/')) {
      const match = V2_MODEL.exec(url);
      const name = match && decodeName(match[1]!);
      if (!name) return false;
      if (match![2] === '/infer' && method === 'POST') run(res, router.handleInference(req, res, name, 'v2'));
      else if (match![2] === '/ready' && method === 'GET') run(res, router.handleModel(req, res, name, 'ready'));
      else if (match![2] === undefined && method === 'GET') run(res, router.handleModel(req, res, name, 'metadata'));
      else return false;
      return true;
    }
    if ((url === '/metrics' || url.startsWith('/metrics?')) && method === 'GET') {
      run(res, router.handleMetrics(req, res));
      return true;
    }
    return false;
  };
}

function decodeName(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
