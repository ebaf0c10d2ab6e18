import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { CairnContext } from '../../shared/context.ts';
import { Approval, ApproveModelVersionInput } from './type.ts';

/** Approval rows use `toStage`; the graph calls it `to`. */
export function approvalView(row: { toStage: string } & Omit<Approval, 'to'>): Approval {
  return { ...row, to: row.toStage as Approval['to'] };
}

@Resolver(() => Approval)
export class ApprovalResolver {
  @Mutation(() => Approval, { description: "Records the caller's approval of a version for a target stage." })
  async approveModelVersion(
    @Arg('input', () => ApproveModelVersionInput) input: ApproveModelVersionInput,
    @Ctx() { services, actor, roles, requestId }: CairnContext,
  ) {
    return approvalView(await services.models.approvals.approve(input, { actor, roles, requestId }));
  }
}
