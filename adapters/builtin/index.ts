import type pg from 'pg';
import type { Database } from '../../platform/database.ts';
import type { DeploymentStatsSource } from '../core/deployment.ts';
import type { OnlineStore } from '../core/online-store.ts';
import type { BuiltinProviderConfig } from '../core/provider-config.ts';
import type { ProviderInstance } from '../core/provider-instance.ts';
import { BuiltinDeploymentProvider } from './deployment.ts';
import { BuiltinFeatureStoreProvider } from './feature-store.ts';
import { BuiltinModelRegistryProvider } from './model-registry.ts';
import { BUILTIN_PROVIDER } from './provider.ts';

export { BuiltinDeploymentProvider, BuiltinFeatureStoreProvider, BuiltinModelRegistryProvider };

/** What the built-in provider is made of: Cairn's own database and online store, and the router's figures. */
export interface BuiltinProviderDeps {
  db: Database;
  /** The pool under `db` (the feature store's bulk SQL); never a second pool. */
  pool: pg.Pool;
  onlineStore: OnlineStore;
  /** Concurrent INSERTs of one large ingest: 1 on PGlite (one connection). */
  offlineWriteConcurrency?: number;
  /** Per-deployment figures of routed calls that canary analysis reads (the inference router's recorder). */
  deploymentStats: DeploymentStatsSource;
  /** Told after a committed split change of a built-in endpoint (the router's cache invalidation). */
  onSplitChanged?: (endpointName: string) => void;
}

/** The built-in provider declares every capability but a catalog source (its assets enter by mutation). */
export interface BuiltinProviderInstance extends ProviderInstance {
  kind: 'BUILTIN';
  registry: BuiltinModelRegistryProvider;
  deployments: BuiltinDeploymentProvider;
  /** Its feature store also cuts training sets (`TrainingSetProvider`) from the history it keeps. */
  features: BuiltinFeatureStoreProvider;
}

/**
 * Cairn's own backend as a provider instance: the catalog is the model registry and the routing
 * table, Postgres the offline store, the process's OnlineStore the online one. It owns none of the
 * connections it uses, so closing it closes nothing.
 */
export function fromConfig(config: BuiltinProviderConfig, deps: BuiltinProviderDeps): BuiltinProviderInstance {
  // Its parts name themselves after the one built-in provider row of the catalog.
  if (config.name !== BUILTIN_PROVIDER)
    throw new Error(`the built-in provider is named ${BUILTIN_PROVIDER}, not ${JSON.stringify(config.name)}`);
  return {
    name: config.name,
    kind: 'BUILTIN',
    registry: new BuiltinModelRegistryProvider(deps.db),
    deployments: new BuiltinDeploymentProvider(deps.db, {
      stats: deps.deploymentStats,
      onSplitChanged: deps.onSplitChanged,
    }),
    features: new BuiltinFeatureStoreProvider(deps.db, deps.pool, deps.onlineStore, {
      writeConcurrency: deps.offlineWriteConcurrency ?? 1,
    }),
    close: async () => {},
  };
}
