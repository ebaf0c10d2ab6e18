import type { Stage } from './domain.ts';

/** What the registry knows of a version when it asks its owner to change it. */
export interface VersionRef {
  /** Cairn's global ID. */
  id: string;
  /** The ID in the owning system (a SageMaker model package ARN, a Vertex AI version, `name/3` for the built-in one). */
  nativeId: string;
  modelName: string;
  version: number;
}

/**
 * A model registry that owns model versions: the built-in one, or a cloud's (SageMaker model
 * package groups, Vertex AI Model Registry, Azure ML models). It speaks Cairn's domain types only
 * and never writes the catalog: the promotion service reserves the change, calls the owner outside
 * any database transaction, and records what the owner accepted through its repositories.
 */
export interface ModelRegistryProvider {
  /** The provider instance's name (`builtin`, `sagemaker-prod`, …). */
  readonly providerName: string;

  /**
   * True when Cairn's catalog is the owner's state (the built-in registry): a stage change has
   * nothing to call, so a promotion is judged and committed in one transaction, with no PENDING
   * intent. Every remote owner leaves it unset.
   */
  readonly catalogIsOwner?: boolean;

  /**
   * Creates the next version of `modelName` at the owner and answers its native ID.
   * Throws UpstreamUnavailableError when the owner cannot be reached; NotSupportedError when the
   * owner does not accept registrations from Cairn.
   */
  registerVersion(modelName: string, version: number): Promise<{ nativeId: string }>;

  /**
   * Moves a version to `stage` at the owner and answers once the owner accepted it. Records
   * nothing in the catalog (the caller does, with its audit event). The built-in registry is its
   * own owner: Cairn's catalog row is its state, so there is nothing to call.
   * Throws NotFoundError when the owner does not know the version; UpstreamUnavailableError
   * when it cannot be reached (after retries); the owner is unchanged in either case.
   */
  transitionStage(version: VersionRef, stage: Stage): Promise<void>;

  /**
   * The stage the owner holds the version in now, read back from the owner (a crashed promotion
   * is reconciled by comparing it with what was asked). Answers null when the owner does not know
   * the version. Throws UpstreamUnavailableError when the owner cannot be reached.
   */
  stageOf(version: VersionRef): Promise<Stage | null>;
}
