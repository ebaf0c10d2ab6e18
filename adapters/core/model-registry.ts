import type { Transaction } from '../../platform/database.ts';
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
 * package groups, Vertex AI Model Registry, Azure ML models). Cairn writes to the owner first and
 * records the change in its catalog only when the owner accepted it.
 */
export interface ModelRegistryProvider {
  /** The provider instance's name (`builtin`, `sagemaker-prod`, …). */
  readonly providerName: string;

  /**
   * Creates the next version of `modelName` at the owner and answers its native ID.
   * Throws UpstreamUnavailableError when the owner cannot be reached; NotSupportedError when the
   * owner does not accept registrations from Cairn.
   */
  registerVersion(tx: Transaction, modelName: string, version: number): Promise<{ nativeId: string }>;

  /**
   * Moves a version to `stage` at the owner, then records it in the catalog row inside `tx`: the
   * built-in registry is its own owner; a cloud adapter calls the cloud first and writes the row
   * only once the cloud accepted (so the change commits with the caller's audit event).
   * Throws NotFoundError when the owner does not know the version; UpstreamUnavailableError
   * when it cannot be reached (after retries); nothing is changed in either case.
   */
  transitionStage(tx: Transaction, version: VersionRef, stage: Stage): Promise<void>;
}
