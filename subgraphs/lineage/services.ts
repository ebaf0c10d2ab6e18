import type pg from 'pg';
import { LineageRepository } from './graph/repository.ts';
import { LineageService } from './graph/service.ts';
import { ImpactRepository } from './impact/repository.ts';
import { ImpactService } from './impact/service.ts';

/** The lineage subgraph's services; raw SQL on the shared pool (recursive walks Prisma cannot express). */
export function createLineageServices(deps: { pool: pg.Pool; clock: () => Date }) {
  return {
    graph: new LineageService(new LineageRepository(deps.pool), deps.clock),
    impact: new ImpactService(new ImpactRepository(deps.pool), deps.clock),
  };
}
