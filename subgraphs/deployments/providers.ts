import type { Database } from '../../platform/database.ts';
import type { DeploymentProvider, EndpointRef } from '../../adapters/core/deployment.ts';
import { isCairnError, NotFoundError } from '../../platform/errors.ts';
import { log } from '../../platform/log.ts';
import { recordAudit, type AuditEntry } from '../../platform/audit.ts';

/** Who acts on a deployments mutation: the request's identity, a rollout job, or a promotion's deploy rule. */
export interface Identity {
  actor: string;
  requestId?: string;
}

/** The serving backends by provider instance name (`builtin`, `sagemaker-prod`, …). */
export class DeploymentProviders {
  private readonly byName: Map<string, DeploymentProvider>;

  constructor(providers: DeploymentProvider[]) {
    this.byName = new Map(providers.map((provider) => [provider.providerName, provider]));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** The owner of an endpoint; NOT_FOUND when no provider of that name is configured in this process. */
  get(name: string): DeploymentProvider {
    const provider = this.byName.get(name);
    if (!provider) throw new NotFoundError('DeploymentProvider', name);
    return provider;
  }

  /** Tells the owner, after commit, that the endpoint's split or deployments changed. */
  committed(endpoint: { id: string; nativeId: string; name: string; providerName: string }) {
    this.byName.get(endpoint.providerName)?.splitCommitted?.(endpointRef(endpoint));
  }
}

export function endpointRef(endpoint: { id: string; nativeId: string; name: string }): EndpointRef {
  return { id: endpoint.id, nativeId: endpoint.nativeId, name: endpoint.name };
}

/**
 * An owner that failed (unreachable, refusing, or an unexpected fault) left the catalog as it was:
 * the attempt is still recorded, as a FAILED audit event. Input, not-found and conflict errors
 * are the caller's, not the owner's, and are not recorded.
 */
export async function recordFailedAttempt(db: Database, error: unknown, entry: AuditEntry): Promise<void> {
  if (isCairnError(error) && error.code !== 'UPSTREAM_UNAVAILABLE' && error.code !== 'NOT_SUPPORTED') return;
  try {
    const message = isCairnError(error) ? error.message : 'internal error';
    await db.$transaction((tx) =>
      recordAudit(tx, {
        ...entry,
        outcome: 'FAILED',
        payload: { ...((entry.payload as object) ?? {}), error: message },
      }),
    );
  } catch (recordError) {
    log.error({ err: recordError }, 'could not record a failed deployments change');
  }
}
