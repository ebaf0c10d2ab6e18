/** An endpoint as its owner knows it. */
export interface EndpointRef {
  /** Cairn's global ID (`endpoint:<provider>:<native id>`). */
  id: string;
  /** The ID at the owner (a SageMaker endpoint name, a Vertex AI endpoint resource name, the built-in name). */
  nativeId: string;
  name: string;
}

/** What a new deployment serves and, for the built-in router, where and how. */
export interface DeploymentSpec {
  /** Cairn's global ID of the deployment, chosen by the caller. */
  id: string;
  modelVersion: { id: string; nativeId: string; modelName: string; version: number };
  strategy: DeploymentStrategy;
  /** Built-in backend: the model server the router forwards to. */
  modelServerUrl?: string | null;
  /** Built-in backend: enrich requests with this feature view's online features ... */
  featureView?: string | null;
  /** ... keyed by the value of this request field. */
  entityKeyField?: string | null;
}

export type DeploymentStrategy = 'RECREATE' | 'BLUE_GREEN' | 'CANARY' | 'SHADOW' | 'AB_TEST';

/** One share of a split, by the deployments' native IDs (a SageMaker variant name, …). */
export interface TrafficShareSpec {
  deploymentId: string;
  nativeId: string;
  percent: number;
}

/** A whole split: live shares sum to 100 (or nothing is live); shadow shares mirror and never answer. */
export interface TrafficSplitSpec {
  live: TrafficShareSpec[];
  shadow: TrafficShareSpec[];
}

/** Requests, errors and latency one deployment served in a window; canary analysis compares these. */
export interface DeploymentStats {
  requests: number;
  errors: number;
  /** p99 latency in milliseconds, or null when there were no requests. */
  latencyP99Ms: number | null;
}

/**
 * A serving backend that owns endpoints: the built-in inference router, or a cloud's (SageMaker
 * endpoints and production/shadow variants, Vertex AI endpoints, Azure ML online endpoints).
 * It speaks Cairn's domain types only and never writes the catalog: the deployments services
 * reserve a change, call the owner outside any database transaction, and record what the owner
 * accepted through their repositories.
 */
export interface DeploymentProvider {
  /** The provider instance's name (`builtin`, `sagemaker-prod`, …). */
  readonly providerName: string;

  /**
   * Creates the endpoint at the owner and answers its native ID.
   * Throws ConflictError when the owner already has one of that name; UpstreamUnavailableError
   * when the owner cannot be reached; NotSupportedError when the owner does not let Cairn create endpoints.
   */
  createEndpoint(name: string): Promise<{ nativeId: string }>;

  /**
   * Creates a deployment of a model version behind the endpoint, at 0% traffic, and answers its
   * native ID. Throws InputError when the spec lacks what this owner needs (the built-in router
   * needs `modelServerUrl`); UpstreamUnavailableError when the owner cannot be reached.
   */
  createDeployment(endpoint: EndpointRef, spec: DeploymentSpec): Promise<{ nativeId: string }>;

  /**
   * Makes the owner route traffic by `split` (the whole split, not a delta). Deployments not named
   * get 0%. Throws UpstreamUnavailableError when the owner cannot be reached or refuses, InputError
   * (or NotFoundError) when a share names a deployment the owner does not have behind the endpoint
   * or has retired; the split in force is then unchanged. Records nothing in the catalog.
   */
  applyTrafficSplit(endpoint: EndpointRef, split: TrafficSplitSpec): Promise<void>;

  /**
   * The split the owner routes by now, read back from the owner (a crashed traffic change is
   * reconciled by comparing it with what was asked): shares above 0 only, by Cairn deployment ID
   * where the owner's native IDs map to one of `deployments`, live and shadow apart. Throws
   * NotFoundError when the owner does not have the endpoint; UpstreamUnavailableError when it
   * cannot be reached.
   */
  trafficSplitOf(endpoint: EndpointRef, deployments: { id: string; nativeId: string }[]): Promise<TrafficSplitSpec>;

  /**
   * Optional: told after the catalog committed a change of the endpoint's split or deployments
   * (the built-in router drops its cached routing table). Never throws.
   */
  splitCommitted?(endpoint: EndpointRef): void;

  /**
   * Releases what a retired deployment holds at the owner (its variant's traffic, its model server
   * route). The caller records the deployment RETIRED with no shares. Throws
   * UpstreamUnavailableError when the owner cannot be reached.
   */
  retireDeployment(endpoint: EndpointRef, deployment: { id: string; nativeId: string }): Promise<void>;

  /**
   * Requests, errors and p99 latency of each named deployment since `since`, for canary analysis.
   * Deployments that served nothing answer zero requests. Throws NotSupportedError when the owner
   * exposes no per-deployment metrics.
   */
  deploymentStats(endpoint: EndpointRef, deploymentIds: string[], since: Date): Promise<Map<string, DeploymentStats>>;
}

/**
 * Where the built-in backend's per-deployment figures come from: the inference router records
 * every routed call, and canary analysis asks it through `DeploymentProvider.deploymentStats`.
 */
export interface DeploymentStatsSource {
  /** Figures of each named deployment from `since` until now; unknown deployments answer zero requests. */
  statsSince(deploymentIds: string[], since: Date): Map<string, DeploymentStats>;
}
