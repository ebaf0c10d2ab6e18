import {
  DescribeEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type {
  DeploymentProvider,
  DeploymentStats,
  EndpointRef,
  TrafficShareSpec,
  TrafficSplitSpec,
} from '../core/deployment.ts';
import { InputError, NotSupportedError } from '../../platform/errors.ts';
import { globalId } from '../../platform/ids.ts';
import { percentsFromWeights, shadowPercent } from './mapping.ts';
import { callSageMaker } from './client.ts';

/** The variant name of a deployment's native ID (`<endpoint>/<variant>`). */
function variantOf(endpoint: EndpointRef, nativeId: string): string {
  const prefix = `${endpoint.nativeId}/`;
  if (!nativeId.startsWith(prefix) || nativeId.length === prefix.length) {
    throw new InputError([
      { path: 'split', message: `${nativeId} is not a variant of SageMaker endpoint ${endpoint.nativeId}` },
    ]);
  }
  return nativeId.slice(prefix.length);
}

/**
 * SageMaker endpoints: production variants are Cairn deployments taking live traffic by weight,
 * shadow variants mirror it. Cairn changes the split and retires a variant's traffic
 * (UpdateEndpointWeightsAndCapacities); creating endpoints and variants stays with SageMaker's own
 * tooling (CreateEndpointConfig/UpdateEndpoint need instance types, roles and images Cairn does not
 * hold), so those answer NotSupportedError.
 */
export class SageMakerDeploymentProvider implements DeploymentProvider {
  constructor(
    readonly providerName: string,
    private readonly client: SageMakerClient,
  ) {}

  async createEndpoint(): Promise<{ nativeId: string }> {
    throw new NotSupportedError(
      this.providerName,
      'createEndpoint (create SageMaker endpoints with SageMaker tooling; Cairn syncs them)',
    );
  }

  async createDeployment(): Promise<{ nativeId: string }> {
    throw new NotSupportedError(
      this.providerName,
      'deployModelVersion (add variants with UpdateEndpoint in SageMaker; Cairn syncs them)',
    );
  }

  /**
   * Live percents become the production variants' weights (they sum to 100, so weight = percent),
   * shadow percents the shadow variants' weights relative to that total; variants not named get 0.
   * One UpdateEndpointWeightsAndCapacities call carries the whole split, so SageMaker takes all of
   * it or none of it.
   */
  async applyTrafficSplit(endpoint: EndpointRef, split: TrafficSplitSpec): Promise<void> {
    const notFound = { kind: 'Endpoint', id: endpoint.id };
    const current = await callSageMaker(
      this.providerName,
      'DescribeEndpoint',
      () => this.client.send(new DescribeEndpointCommand({ EndpointName: endpoint.nativeId })),
      notFound,
    );
    const weights = new Map<string, number>();
    for (const variant of [...(current.ProductionVariants ?? []), ...(current.ShadowProductionVariants ?? [])])
      weights.set(variant.VariantName!, 0);
    // A variant is a production or a shadow variant by its endpoint config: a share of the other
    // kind or an unknown variant is refused before anything is sent. (Retired deployments are the
    // catalog's to refuse: the deployments services do, before any owner is called.)
    const shadowVariants = new Set((current.ShadowProductionVariants ?? []).map((v) => v.VariantName!));
    const problems: { path: string; message: string }[] = [];
    for (const [kind, shares] of [
      ['live', split.live],
      ['shadow', split.shadow],
    ] as const) {
      for (const share of shares) {
        const variant = variantOf(endpoint, share.nativeId);
        if (!weights.has(variant))
          problems.push({
            path: share.deploymentId,
            message: `SageMaker endpoint ${endpoint.nativeId} has no variant ${variant}`,
          });
        else if ((kind === 'shadow') !== shadowVariants.has(variant))
          problems.push({
            path: share.deploymentId,
            message: `variant ${variant} is ${shadowVariants.has(variant) ? 'a shadow' : 'a production'} variant: it takes ${shadowVariants.has(variant) ? 'shadow' : 'live'} shares only`,
          });
        weights.set(variant, share.percent);
      }
    }
    if (problems.length) throw new InputError(problems);
    await callSageMaker(
      this.providerName,
      'UpdateEndpointWeightsAndCapacities',
      () =>
        this.client.send(
          new UpdateEndpointWeightsAndCapacitiesCommand({
            EndpointName: endpoint.nativeId,
            DesiredWeightsAndCapacities: [...weights].map(([VariantName, DesiredWeight]) => ({
              VariantName,
              DesiredWeight,
            })),
          }),
        ),
      notFound,
    );
  }

  /**
   * Production variants' current weights as live percents (largest remainder, summing to 100),
   * shadow variants' as a share of the production total: the same reading the catalog sync makes.
   */
  async trafficSplitOf(
    endpoint: EndpointRef,
    deployments: { id: string; nativeId: string }[],
  ): Promise<TrafficSplitSpec> {
    const current = await callSageMaker(
      this.providerName,
      'DescribeEndpoint',
      () => this.client.send(new DescribeEndpointCommand({ EndpointName: endpoint.nativeId })),
      { kind: 'Endpoint', id: endpoint.id },
    );
    const byNative = new Map(deployments.map((d) => [d.nativeId, d.id]));
    const share = (variant: string, percent: number): TrafficShareSpec => {
      const nativeId = `${endpoint.nativeId}/${variant}`;
      return {
        deploymentId: byNative.get(nativeId) ?? globalId('deployment', this.providerName, nativeId),
        nativeId,
        percent,
      };
    };
    const production = current.ProductionVariants ?? [];
    const weights = production.map((v) => v.CurrentWeight ?? v.DesiredWeight ?? 0);
    const total = weights.reduce((sum, w) => sum + Math.max(0, w), 0);
    const percents = percentsFromWeights(weights);
    return {
      live: production.map((v, i) => share(v.VariantName!, percents[i]!)).filter((s) => s.percent > 0),
      shadow: (current.ShadowProductionVariants ?? [])
        .map((v) => share(v.VariantName!, shadowPercent(v.CurrentWeight ?? v.DesiredWeight ?? 0, total)))
        .filter((s) => s.percent > 0),
    };
  }

  /**
   * Releases the variant's traffic (weight 0). Its instances stay until the endpoint is updated to
   * a config without it, with SageMaker's own tooling (Cairn holds no endpoint configs); the next
   * sync then retires it for good.
   */
  async retireDeployment(endpoint: EndpointRef, deployment: { id: string; nativeId: string }): Promise<void> {
    await callSageMaker(
      this.providerName,
      'UpdateEndpointWeightsAndCapacities',
      () =>
        this.client.send(
          new UpdateEndpointWeightsAndCapacitiesCommand({
            EndpointName: endpoint.nativeId,
            DesiredWeightsAndCapacities: [{ VariantName: variantOf(endpoint, deployment.nativeId), DesiredWeight: 0 }],
          }),
        ),
      { kind: 'Endpoint', id: endpoint.id },
    );
  }

  async deploymentStats(): Promise<Map<string, DeploymentStats>> {
    // Per-variant invocations and latency live in CloudWatch, which this adapter does not read.
    throw new NotSupportedError(this.providerName, 'deploymentStats (CloudWatch metrics)');
  }
}
