import { registerEnumType } from 'type-graphql';
import { Stage } from '../../prisma/generated/enums.ts';

/**
 * The GraphQL enums more than one subgraph answers, and the closed sets of values the catalog
 * stores as text (statuses, reasons, outcomes). Each is registered once here; a subgraph that
 * answers one imports it from this module, so every subgraph, served alone or together, declares
 * the same enum (federation merges output enums by name).
 */

/** A closed set of values that are their own names. */
function values<const K extends string>(...names: K[]): { [V in K]: V } {
  return Object.fromEntries(names.map((name) => [name, name])) as { [V in K]: V };
}

export { Stage };
registerEnumType(Stage, {
  name: 'Stage',
  description: 'Lifecycle stage of a model version; one PRODUCTION holder per model.',
});

export const DeploymentStatus = values('ACTIVE', 'RETIRED');
registerEnumType(DeploymentStatus, {
  name: 'DeploymentStatus',
  description: 'ACTIVE: in the split or waiting for traffic; RETIRED: out of its endpoint for good.',
});

export const EndpointStatus = values(
  'CREATING',
  'IN_SERVICE',
  'UPDATING',
  'FAILED',
  'OUT_OF_SERVICE',
  'DELETING',
  'DELETED',
  'UNKNOWN',
);
registerEnumType(EndpointStatus, {
  name: 'EndpointStatus',
  description:
    "An endpoint's state at its owner: IN_SERVICE once created; DELETED when a sync no longer finds it; UNKNOWN for a state the owner reports that Cairn has no word for.",
});

export const RolloutStrategy = values('CANARY', 'BLUE_GREEN', 'SHADOW');
registerEnumType(RolloutStrategy, { name: 'RolloutStrategy', description: 'The strategies that run a rollout.' });

export const RolloutStatus = values('IN_PROGRESS', 'SUCCEEDED', 'ROLLED_BACK', 'CANCELLED');
registerEnumType(RolloutStatus, { name: 'RolloutStatus' });

export const RolloutVerdict = values('PASS', 'FAIL', 'BAKING', 'WAITING', 'OK', 'WORSE', 'ERROR');
registerEnumType(RolloutVerdict, {
  name: 'RolloutVerdict',
  description: 'What one look at a rollout found.',
  valuesConfig: {
    PASS: { description: 'Canary: baked with enough requests and no breach; the next step may start.' },
    FAIL: { description: 'Canary: a threshold breached; the endpoint is rolled back.' },
    BAKING: { description: 'Canary: within the bake time, no breach yet.' },
    WAITING: { description: 'Fewer requests than minRequests so far.' },
    OK: { description: 'Shadow: no breach against the live deployments.' },
    WORSE: { description: 'Shadow: a threshold breached (nothing is rolled back; the mirror never answers).' },
    ERROR: { description: "The owner's figures could not be read; the rollout holds and is looked at again." },
  },
});

export const TrafficReason = values(
  'DEPLOY',
  'SET_SPLIT',
  'ROLLOUT_STEP',
  'ROLLBACK',
  'AUTO_ROLLBACK',
  'PROMOTION_RULE',
  'RETIRE',
  'SYNC',
);
registerEnumType(TrafficReason, {
  name: 'TrafficReason',
  description: "Why a split changed; SYNC: the owner's own change, found by a sync.",
});

export const IncidentStatus = values('OPEN', 'RESOLVED');
registerEnumType(IncidentStatus, { name: 'IncidentStatus' });

export const RunStatus = values('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED');
registerEnumType(RunStatus, { name: 'RunStatus', description: 'The state of a materialization or sync run.' });

export const PolicySource = values('API', 'FILE');
registerEnumType(PolicySource, {
  name: 'PolicySource',
  description: 'API, or FILE for policies loaded from the policy file at start.',
});

export const EvaluationOutcome = values('PASSED', 'FAILED', 'ERRORED');
registerEnumType(EvaluationOutcome, {
  name: 'EvaluationOutcome',
  description: 'ERRORED: the expression could not be evaluated (it fails closed).',
});

export const PromotionStatus = values('APPLIED', 'DENIED', 'FAILED', 'PENDING_APPROVAL', 'PENDING');
registerEnumType(PromotionStatus, {
  name: 'PromotionStatus',
  description:
    'PENDING_APPROVAL: denied only for want of approvals; PENDING: allowed, its owner (a cloud registry) being asked.',
});

export const AuditOutcome = values('APPLIED', 'DENIED', 'FAILED');
registerEnumType(AuditOutcome, { name: 'AuditOutcome' });

export const ProviderStatus = values('OK', 'SYNCING', 'DEGRADED', 'UNAVAILABLE', 'NOT_SUPPORTED');
registerEnumType(ProviderStatus, {
  name: 'ProviderStatus',
  description: 'NOT_SUPPORTED: configured, but of a kind this Cairn has no adapter for yet (lastError says which).',
});

export const DeliveryStatus = values('PENDING', 'DELIVERED', 'FAILED', 'CANCELLED');
registerEnumType(DeliveryStatus, {
  name: 'DeliveryStatus',
  description:
    'PENDING: queued or retrying; FAILED after the last attempt; CANCELLED when its subscription was disabled.',
});

export const LineageSource = values('DECLARED', 'IMPORTED', 'CATALOG');
registerEnumType(LineageSource, {
  name: 'LineageSource',
  description: 'DECLARED by Cairn, IMPORTED from a cloud, or CATALOG (HAS_FEATURE).',
});
