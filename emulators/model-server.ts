/**
 * A small local model server speaking what Cairn's router sends (HTTP on 127.0.0.1, port 0):
 *   POST {base}/predict                      plain JSON: answers {model, predictions: [score]}
 *   POST {base}/v2/models/{model}/infer      Open Inference Protocol v2: answers one FP64 output "score"
 *   GET  {base}/v2/models/{model}            v2 metadata
 *   GET  {base}/v2/models/{model}/ready      200 when ready
 * Each server answers a constant score of its own, so a caller can tell which one served it.
 * Scenarios switch its behaviour; every call is counted and the last request body is remembered.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ModelServerScenario =
  | { kind: 'answers' }
  | { kind: 'failsWith500' }
  | { kind: 'answersSlowly'; delayMs: number }
  | { kind: 'rejectsInput' };

export interface FakeModelServer {
  /** The base URL a deployment names as its modelServerUrl. */
  url: string;
  name: string;
  score: number;
  /** Calls per route: `predict`, `infer`, `metadata`, `ready`. */
  calls: Record<'predict' | 'infer' | 'metadata' | 'ready', number>;
  totalCalls(): number;
  /** The body of the last predict or infer call, parsed. */
  lastRequest: any;
  /** TCP connections opened to it (keep-alive clients open few). */
  connections: number;
  /** The path of the last call. */
  lastPath: string | null;
  setScenario(scenario: ModelServerScenario): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startModelServer(options: {
  name: string;
  score: number;
  scenario?: ModelServerScenario;
  basePath?: string;
}): Promise<FakeModelServer> {
  let scenario: ModelServerScenario = options.scenario ?? { kind: 'answers' };
  const basePath = options.basePath ?? '';
  const fake = {
    name: options.name,
    score: options.score,
    calls: { predict: 0, infer: 0, metadata: 0, ready: 0 },
    lastRequest: null as any,
    lastPath: null as string | null,
    connections: 0,
  };
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const path = (req.url ?? '').startsWith(basePath) ? (req.url ?? '').slice(basePath.length) : '';
    fake.lastPath = req.url ?? null;
    const send = (status: number, answer: unknown) => {
      const text = JSON.stringify(answer);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    const route =
      req.method === 'POST' && path === '/predict'
        ? 'predict'
        : req.method === 'POST' && /^\/v2\/models\/[^/]+\/infer$/.test(path)
          ? 'infer'
          : req.method === 'GET' && /^\/v2\/models\/[^/]+\/ready$/.test(path)
            ? 'ready'
            : req.method === 'GET' && /^\/v2\/models\/[^/]+$/.test(path)
              ? 'metadata'
              : null;
    if (!route) return send(404, { error: `no route ${req.method} ${req.url}` });
    fake.calls[route]++;
    if (route === 'predict' || route === 'infer') fake.lastRequest = body ? JSON.parse(body) : null;
    if (scenario.kind === 'answersSlowly')
      await new Promise((resolve) => setTimeout(resolve, scenario.kind === 'answersSlowly' ? scenario.delayMs : 0));
    if (scenario.kind === 'failsWith500') return send(500, { error: 'model crashed' });
    const model = decodeURIComponent(path.split('/')[3] ?? '');
    switch (route) {
      case 'predict': {
        if (scenario.kind === 'rejectsInput') return send(422, { error: 'input rejected by the model' });
        const instances = Array.isArray(fake.lastRequest?.instances) ? fake.lastRequest.instances.length : 1;
        return send(200, { model: options.name, predictions: Array.from({ length: instances }, () => options.score) });
      }
      case 'infer': {
        const n = fake.lastRequest?.inputs?.[0]?.shape?.[0] ?? 1;
        return send(200, {
          model_name: model,
          id: fake.lastRequest?.id ?? null,
          outputs: [
            { name: 'score', shape: [n], datatype: 'FP64', data: Array.from({ length: n }, () => options.score) },
          ],
        });
      }
      case 'metadata':
        return send(200, {
          name: model,
          versions: ['1'],
          platform: 'fake',
          inputs: [{ name: 'x', datatype: 'FP64', shape: [-1] }],
          outputs: [{ name: 'score', datatype: 'FP64', shape: [-1] }],
        });
      case 'ready':
        return send(200, {});
    }
  });
  server.on('connection', () => fake.connections++);
  // Keep-alive like a real server, so the router's pooled connections are exercised.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}${basePath}`,
    totalCalls: () => Object.values(fake.calls).reduce((a, b) => a + b, 0),
    setScenario: (next: ModelServerScenario) => {
      scenario = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** Named scenarios. */
export const modelServerThatAnswers = (name: string, score: number) => startModelServer({ name, score });
export const modelServerThatFailsWith500 = (name: string) =>
  startModelServer({ name, score: -1, scenario: { kind: 'failsWith500' } });
export const modelServerThatAnswersSlowly = (name: string, delayMs: number) =>
  startModelServer({ name, score: -2, scenario: { kind: 'answersSlowly', delayMs } });
