import { InputError, NotFoundError } from '../../../platform/errors.ts';
import { parseGlobalId } from '../../../platform/ids.ts';
import { cursorCodec, pageRequest, toPage } from '../../shared/connection.ts';
import type { AtRiskKey, DownstreamDeploymentRow, ImpactRepository } from './repository.ts';
import type { ImpactReport, ImpactedDeployment, ProviderCount } from './type.ts';

const AT_RISK_CURSORS = cursorCodec<AtRiskKey>(
  'atRiskDeployments',
  (key) => [key.provider, key.endpointName, key.id],
  (parts) =>
    parts.length === 3 && parts.every(Boolean) ? { provider: parts[0]!, endpointName: parts[1]!, id: parts[2]! } : null,
);

/** How far impact walks downstream: deeper than any real chain (feature -> dataset -> version -> fine-tune -> deployment -> endpoint). */
export const IMPACT_DEPTH = 16;

const IMPACT_KINDS = ['feature', 'featureView', 'dataset', 'modelVersion'] as const;

function impactedDeployment(row: DownstreamDeploymentRow, incidentFeatures: string[]): ImpactedDeployment {
  const live = row.status !== 'RETIRED' && row.trafficPercent > 0;
  const production = row.status !== 'RETIRED' && (live || row.stage === 'PRODUCTION');
  const atRisk = production && incidentFeatures.length > 0;
  return {
    deployment: { id: row.id },
    endpoint: { id: row.endpointId },
    endpointName: row.endpointName,
    modelVersion: { id: row.modelVersionId },
    stage: row.stage,
    provider: row.provider,
    owner: row.owner,
    endpointOwner: row.endpointOwner,
    status: row.status,
    trafficPercent: row.trafficPercent,
    shadowPercent: row.shadowPercent,
    live,
    production,
    atRisk,
    incidentFeatures: atRisk ? incidentFeatures.map((id) => ({ id })) : [],
  };
}

export class ImpactService {
  constructor(
    private readonly repository: ImpactRepository,
    private readonly clock: () => Date,
  ) {}

  /**
   * Everything downstream of a feature, feature view, dataset or model version, now. Two SQL
   * statements at most whatever the graph's size: the walk with its catalog rows, and (when there
   * are production deployments) the upstream walk that finds open incidents.
   */
  async impact(id: string): Promise<ImpactReport> {
    const { kind } = parseGlobalId(id);
    if (!(IMPACT_KINDS as readonly string[]).includes(kind)) {
      throw new InputError([
        { path: 'id', message: `impact is answered for a ${IMPACT_KINDS.join(', ')}; got a ${kind} ID` },
      ]);
    }
    const now = this.clock();
    const down = await this.repository.downstream(id, IMPACT_DEPTH, now);
    if (!down.known) throw new NotFoundError(kind, id);

    const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const rows = down.deployments.map((row) => impactedDeployment(row, []));
    const productionIds = rows.filter((d) => d.production).map((d) => d.deployment.id);
    const incidents = await this.repository.openIncidentsUpstream(productionIds, IMPACT_DEPTH, now);
    const deployments = down.deployments
      .map((row) => impactedDeployment(row, incidents.get(row.id) ?? []))
      .sort(
        (a, b) =>
          a.provider.localeCompare(b.provider) ||
          a.endpointName.localeCompare(b.endpointName) ||
          byId(a.deployment, b.deployment),
      );
    const modelVersions = [...down.modelVersions].sort(byId);
    const endpoints = [...down.endpoints].sort(byId);

    const providers = new Map<string, ProviderCount>();
    const count = (provider: string) => {
      let entry = providers.get(provider);
      if (!entry) providers.set(provider, (entry = { provider, modelVersions: 0, deployments: 0, endpoints: 0 }));
      return entry;
    };
    for (const mv of modelVersions) count(mv.provider).modelVersions++;
    for (const d of deployments) count(d.provider).deployments++;
    for (const e of endpoints) count(e.provider).endpoints++;
    const stages = new Map<string, number>();
    for (const mv of modelVersions) stages.set(mv.stage, (stages.get(mv.stage) ?? 0) + 1);

    const production = deployments.filter((d) => d.production);
    const atRisk = deployments.filter((d) => d.atRisk);
    return {
      root: id,
      owners: [...down.owners].sort(),
      modelVersions: modelVersions.map((mv) => ({ id: mv.id })),
      productionModelVersions: modelVersions.filter((mv) => mv.stage === 'PRODUCTION').map((mv) => ({ id: mv.id })),
      deployments: deployments.map((d) => d.deployment),
      productionDeployments: production.map((d) => d.deployment),
      endpoints: endpoints.map((e) => ({ id: e.id })),
      providers: [...providers.keys()].sort(),
      impactedModelVersions: modelVersions.map((mv) => ({
        modelVersion: { id: mv.id },
        stage: mv.stage,
        provider: mv.provider,
        owner: mv.owner,
      })),
      impactedDeployments: deployments,
      atRisk,
      summary: {
        modelVersions: modelVersions.length,
        productionModelVersions: stages.get('PRODUCTION') ?? 0,
        deployments: deployments.length,
        liveDeployments: deployments.filter((d) => d.live).length,
        productionDeployments: production.length,
        atRiskDeployments: atRisk.length,
        endpoints: endpoints.length,
        byProvider: [...providers.values()].sort((a, b) => a.provider.localeCompare(b.provider)),
        byStage: [...stages.entries()]
          .map(([stage, n]) => ({ stage, modelVersions: n }))
          .sort((a, b) => a.stage.localeCompare(b.stage)),
      },
    };
  }

  /** A page of the production deployments, on any provider, with an open incident on a feature upstream: one SQL statement. */
  async atRiskDeployments(first: number, after: string | null) {
    const page = pageRequest(AT_RISK_CURSORS, { first, after });
    const { rows, total } = await this.repository.atRiskDeployments(
      IMPACT_DEPTH,
      this.clock(),
      page.size + 1,
      page.cursor,
    );
    const deployments = rows.map((row) => impactedDeployment(row, row.incidentFeatures ?? []));
    return toPage(
      deployments,
      page,
      AT_RISK_CURSORS,
      (d) => ({ provider: d.provider, endpointName: d.endpointName, id: d.deployment.id }),
      total,
    );
  }
}
