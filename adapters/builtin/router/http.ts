import type express from 'express';
import type { InferenceRouter } from './router.ts';

/**
 * The router's HTTP routes on the gateway's app. Bodies are read raw by the router (its own size
 * bound, no JSON middleware), so these are mounted apart from /graphql's parser.
 */
export function mountInferenceRoutes(app: express.Express, router: InferenceRouter): void {
  app.post('/endpoints/:name/predict', (req, res, next) => {
    router.handleInference(req, res, req.params.name!, 'predict').catch(next);
  });
  app.post('/v2/models/:name/infer', (req, res, next) => {
    router.handleInference(req, res, req.params.name!, 'v2').catch(next);
  });
  app.get('/v2/models/:name', (req, res, next) => {
    router.handleModel(req, res, req.params.name!, 'metadata').catch(next);
  });
  app.get('/v2/models/:name/ready', (req, res, next) => {
    router.handleModel(req, res, req.params.name!, 'ready').catch(next);
  });
  app.get('/metrics', (req, res, next) => {
    router.handleMetrics(req, res).catch(next);
  });
}
