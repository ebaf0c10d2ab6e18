import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { AssetSearch } from '../components/AssetSearch.tsx';
import { LineageGraph, Legend } from '../components/LineageGraph.tsx';
import { ErrorBox, Loading, Stage, usePaged } from '../components/states.tsx';
import { graphql } from '../gql/index.ts';
import type { ImpactQuery } from '../gql/graphql.ts';
import { downloadText, toCsv } from '../csv.ts';
import { describeNode, IMPACT_KINDS } from './Lineage.tsx';

const ImpactQueryDoc = graphql(`
  query Impact($id: ID!) {
    impact(id: $id) {
      root
      owners
      providers
      summary {
        modelVersions
        productionModelVersions
        deployments
        liveDeployments
        productionDeployments
        atRiskDeployments
        endpoints
      }
      impactedDeployments {
        deployment {
          id
        }
        endpoint {
          id
        }
        endpointName
        provider
        owner
        endpointOwner
        stage
        status
        trafficPercent
        shadowPercent
        live
        production
        atRisk
        modelVersion {
          id
          version
          model {
            name
          }
        }
        incidentFeatures {
          id
          name
        }
      }
    }
    lineage(id: $id, direction: DOWNSTREAM, depth: 10, limit: 500) {
      root
      truncated
      nodes {
        ...LineageNodeFields
      }
      edges {
        from
        to
        relation
        provider
        validFrom
        validTo
      }
    }
  }
`);

type Impacted = ImpactQuery['impact']['impactedDeployments'][number];

const CSV_COLUMNS: [string, (row: Impacted) => string | number | boolean | null][] = [
  // One line per affected deployment: what an owner needs to plan a change.
  ['endpoint', (r) => r.endpointName],
  ['endpoint_id', (r) => r.endpoint.id],
  ['provider', (r) => r.provider],
  ['deployment_id', (r) => r.deployment.id],
  ['model', (r) => r.modelVersion.model.name],
  ['model_version', (r) => r.modelVersion.version],
  ['stage', (r) => r.stage],
  ['traffic_percent', (r) => r.trafficPercent],
  ['shadow_percent', (r) => r.shadowPercent],
  ['production', (r) => r.production],
  ['at_risk', (r) => r.atRisk],
  ['owner', (r) => r.owner],
  ['endpoint_owner', (r) => r.endpointOwner],
];

export function ImpactPage() {
  const [params, setParams] = useSearchParams();
  const id = params.get('id');
  const [result] = useQuery({ query: ImpactQueryDoc, variables: { id: id ?? '' }, pause: !id });
  const impact = result.data?.impact;
  const lineage = result.data?.lineage;
  const rows = useMemo(
    () =>
      [...(impact?.impactedDeployments ?? [])].sort(
        (a, b) => Number(b.production) - Number(a.production) || b.trafficPercent - a.trafficPercent,
      ),
    [impact],
  );
  const hot = useMemo(() => {
    const ids = new Set<string>();
    for (const row of impact?.impactedDeployments ?? []) {
      if (row.production) {
        ids.add(row.endpoint.id);
        ids.add(row.deployment.id);
      }
    }
    return ids;
  }, [impact]);
  const nodes = useMemo(() => (lineage?.nodes ?? []).map(describeNode), [lineage]);
  const { shown, pager } = usePaged(rows, 20);

  return (
    <>
      <h1>Impact analysis</h1>
      <AssetSearch
        kinds={IMPACT_KINDS}
        label="Pick a feature, feature view, dataset or model version"
        onPick={(hit) => setParams({ id: hit.id })}
      />
      {id && <ErrorBox error={result.error} />}
      {id && !result.data && result.fetching && <Loading what="Walking downstream" />}
      {impact && lineage && (
        <>
          <h2>
            What a change to <code>{impact.root}</code> touches
          </h2>
          <ul className="stats" aria-label="Impact summary">
            <li>
              <strong>{impact.summary.productionDeployments}</strong> production deployments
            </li>
            <li>
              <strong>{impact.summary.endpoints}</strong> endpoints
            </li>
            <li>
              <strong>{impact.summary.modelVersions}</strong> model versions ({impact.summary.productionModelVersions}{' '}
              in production)
            </li>
            <li>
              <strong>{impact.summary.atRiskDeployments}</strong> at risk
            </li>
            <li>providers: {impact.providers.join(', ') || '–'}</li>
            <li>owners: {impact.owners.join(', ') || '–'}</li>
          </ul>
          <Legend />
          <LineageGraph
            label={`Downstream of ${impact.root}, affected production endpoints highlighted`}
            root={impact.root}
            nodes={nodes}
            edges={lineage.edges}
            highlighted={hot}
          />
          <div className="heading-row">
            <h2>Affected deployments</h2>
            <button
              type="button"
              disabled={rows.length === 0}
              onClick={() =>
                downloadText(`impact-${impact.root.replaceAll(/[^A-Za-z0-9_.-]+/g, '_')}.csv`, toCsv(CSV_COLUMNS, rows))
              }
            >
              Export CSV
            </button>
          </div>
          {rows.length === 0 ? (
            <p className="empty">Nothing deployed depends on this asset.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Affected deployments">
                <thead>
                  <tr>
                    <th>Endpoint</th>
                    <th>Provider</th>
                    <th>Model version</th>
                    <th>Stage</th>
                    <th>Traffic</th>
                    <th>Shadow</th>
                    <th>Model owner</th>
                    <th>Endpoint owner</th>
                    <th>Production</th>
                    <th>Risk</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((row) => (
                    <tr key={row.deployment.id} className={row.production ? 'hot' : undefined}>
                      <td>{row.endpointName}</td>
                      <td>{row.provider}</td>
                      <td>
                        {row.modelVersion.model.name} v{row.modelVersion.version}
                      </td>
                      <td>
                        <Stage stage={row.stage} />
                      </td>
                      <td>{row.trafficPercent}%</td>
                      <td>{row.shadowPercent ? `${row.shadowPercent}%` : '–'}</td>
                      <td>{row.owner ?? '–'}</td>
                      <td>{row.endpointOwner ?? '–'}</td>
                      <td>{row.production ? 'yes' : 'no'}</td>
                      <td>
                        {row.atRisk ? (
                          <span className="badge-risk" title={row.incidentFeatures.map((f) => f.name).join(', ')}>
                            at risk
                          </span>
                        ) : (
                          '–'
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {pager}
        </>
      )}
      {!id && <p className="empty">Pick an asset to list the production endpoints that depend on it.</p>}
    </>
  );
}
