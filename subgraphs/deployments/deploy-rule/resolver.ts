import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../../platform/errors.ts';
import { redact } from '../../../platform/log.ts';
import type { CairnContext } from '../../shared/context.ts';
import { Endpoint } from '../endpoint/type.ts';
import { deploymentLoaders } from '../loaders.ts';
import { EndpointDeployRule } from './type.ts';
import { CanaryThresholds, thresholdsOf } from '../rollout/thresholds.ts';

@Resolver(() => EndpointDeployRule)
export class EndpointDeployRuleResolver {
  @FieldResolver(() => CanaryThresholds)
  thresholds(@Root() row: EndpointDeployRule): CanaryThresholds {
    return thresholdsOf(row);
  }

  @FieldResolver(() => Endpoint)
  async endpoint(@Root() rule: EndpointDeployRule, @Ctx() context: CairnContext) {
    const endpoint = await deploymentLoaders(context).endpoint.load(rule.endpointId);
    if (!endpoint) throw new NotFoundError('Endpoint', rule.endpointId);
    return endpoint;
  }

  @FieldResolver(() => String, { description: "The model's name (as given in setEndpointDeployRule)." })
  model(@Root() rule: EndpointDeployRule): string {
    return rule.modelName;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "{model} and {version} are replaced by the promoted version's (credentials masked).",
  })
  modelServerUrl(@Root() rule: EndpointDeployRule): string | null {
    return rule.modelServerUrl ? redact(rule.modelServerUrl) : null;
  }
}
