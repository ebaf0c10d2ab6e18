import type { Stage } from './domain.ts';
import type { AssetKind } from '../../platform/ids.ts';

/**
 * What a cloud adapter hands the sync engine: paged listings of its assets, mapped to catalog
 * records in Cairn's own terms (never SDK types). The engine (sync/engine.ts) owns everything
 * else: change detection, transactions, deletions, progress, counts and the provider's status;
 * each kind is written through the domain that owns it (sync/catalog-writer.ts). Adapters build
 * their sources with adapters/kit (paging, change tokens, bounded concurrency, error translation),
 * and every source must pass test/contracts/catalog-source.contract.ts. Vertex AI and Azure ML
 * implement the same interface.
 */

/** A reference to another asset of the same provider, by its native ID. */
export interface NativeRef {
  kind: AssetKind;
  nativeId: string;
}

export interface FeatureViewRecord {
  /** The native name (a SageMaker feature group name); the catalog keeps it as version 1. */
  name: string;
  entity: string;
  joinKey: string;
  ttlSeconds: number | null;
  description: string | null;
  tags: string[];
  features: { name: string; dtype: string; description: string | null }[];
}

export interface RegisteredModelRecord {
  name: string;
  description: string | null;
  tags: string[];
}

export interface ModelVersionRecord {
  /** Native ID of its registered model. */
  modelNativeId: string;
  version: number;
  stage: Stage;
  artifactUri: string | null;
  imageUri: string | null;
  gitCommit: string | null;
  description: string | null;
  createdBy: string | null;
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: string[];
}

export interface DeploymentRecord {
  /** Native ID of the deployment (a SageMaker `<endpoint>/<variant>`). */
  nativeId: string;
  /** Native ID of the model version it serves. */
  modelVersionNativeId: string;
  strategy: 'RECREATE' | 'BLUE_GREEN' | 'CANARY' | 'SHADOW' | 'AB_TEST';
  /** Integer share of live traffic; the live shares of an endpoint sum to 100 (or all are 0). */
  trafficPercent: number;
  /** Integer share of traffic mirrored to it (shadow deployments). */
  shadowPercent: number;
}

export interface EndpointRecord {
  name: string;
  /** IN_SERVICE, CREATING, UPDATING, FAILED, … (the owner's status in Cairn's words). */
  status: string;
  deployments: DeploymentRecord[];
}

export interface DatasetRecord {
  name: string;
  /** Where the data is (an S3 URI), kept in the dataset's spec. */
  uri: string | null;
}

/** A lineage edge the owner knows (SageMaker associations), between assets Cairn catalogs. */
export interface LineageEdgeRecord {
  from: NativeRef;
  to: NativeRef;
  relation: 'TRAINED_ON' | 'DERIVED_FROM' | 'FINE_TUNED_FROM';
}

export interface CatalogRecords {
  featureView: FeatureViewRecord;
  model: RegisteredModelRecord;
  modelVersion: ModelVersionRecord;
  endpoint: EndpointRecord;
  dataset: DatasetRecord;
  lineageEdge: LineageEdgeRecord;
}

export type SyncedKind = keyof CatalogRecords;

/** One asset as a listing page shows it. */
export interface Listed<R> {
  nativeId: string;
  /**
   * Changes whenever the asset changes (a LastModifiedTime, a fingerprint of the listing's
   * summary). When it equals the last sync's, the asset is not described again. Null: the
   * listing cannot tell, so the asset is always described (and written only if its record changed).
   */
  changeToken: string | null;
  /** The record, when the listing already holds all of it (no describe call needed). */
  record?: R;
}

/** One kind of asset of one provider: listed page by page, then described where changed. */
export interface SyncCollection<K extends SyncedKind = SyncedKind> {
  kind: K;
  /** Pages of the full listing, in order. Throws UpstreamUnavailableError when the owner fails. */
  pages(): AsyncIterable<Listed<CatalogRecords[K]>[]>;
  /**
   * Records of the listed assets that need one (same order). An asset that vanished between
   * listing and describing answers null (it is then treated as not listed).
   * Throws UpstreamUnavailableError when the owner fails.
   */
  describe(items: Listed<CatalogRecords[K]>[]): Promise<(CatalogRecords[K] | null)[]>;
}

/** A provider instance whose assets Cairn pulls into its catalog. */
export interface CatalogSource {
  readonly providerName: string;
  /**
   * The collections of one sync, in dependency order (models before their versions, versions
   * before the endpoints that serve them, datasets before lineage edges). Called once per sync,
   * so a source may share caches between a sync's collections.
   */
  collections(): SyncCollection[];
}
