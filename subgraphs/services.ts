import type { Database } from '../adapters/builtin/database.ts';
import type { JobQueue } from '../adapters/builtin/jobs.ts';
import { BuiltinModelRegistryProvider } from '../adapters/builtin/model-registry.ts';
import type { ModelRegistryProvider } from '../adapters/core/model-registry.ts';
import type { OnlineStore } from '../adapters/core/online-store.ts';
import { DeploymentRepository } from './deployments/repository.ts';
import { FeatureService } from './features/feature/service.ts';
import { FeatureViewService } from './features/feature-view/service.ts';
import { OnlineFeatureService } from './features/online/service.ts';
import { ProviderRepository } from './lineage/provider/repository.ts';
import { ApprovalService } from './models/approval/service.ts';
import { AuditService } from './models/audit/service.ts';
import { ModelVersionService } from './models/model-version/service.ts';
import { PolicyService } from './models/policy/service.ts';
import { PromotionService } from './models/promotion/service.ts';
import { WebhookService, type WebhookOptions } from './models/webhook/service.ts';

export interface ServiceOptions {
  webhooks: WebhookOptions;
  /** The registry of each provider instance that owns model versions. */
  registries?: ModelRegistryProvider[];
  clock?: () => Date;
}

/** Everything the subgraphs' resolvers call, built once per process from the database, online store and job queue. */
export function createServices(deps: { db: Database; onlineStore: OnlineStore; jobs: JobQueue }, options: ServiceOptions) {
  const featureViews = new FeatureViewService(deps.db);
  const features = new FeatureService(deps.db);
  const registries = new Map((options.registries ?? [new BuiltinModelRegistryProvider()]).map((r) => [r.providerName, r]));
  const registryFor = (name: string) => registries.get(name);
  const webhooks = new WebhookService(deps.db, deps.jobs, { ...options.webhooks, clock: options.clock });
  const policies = new PolicyService(deps.db);
  return {
    features: { featureViews, features, online: new OnlineFeatureService(deps.onlineStore, featureViews, features) },
    models: {
      versions: new ModelVersionService(deps.db, registryFor, webhooks),
      policies,
      approvals: new ApprovalService(deps.db),
      promotions: new PromotionService(
        deps.db,
        policies.repository,
        (name) => {
          const registry = registryFor(name);
          if (!registry) throw new Error(`no model registry for provider ${name}`);
          return registry;
        },
        webhooks,
        options.clock,
      ),
      webhooks,
      audit: new AuditService(deps.db),
    },
    deployments: new DeploymentRepository(deps.db),
    providers: new ProviderRepository(deps.db),
  };
}

export type Services = ReturnType<typeof createServices>;
