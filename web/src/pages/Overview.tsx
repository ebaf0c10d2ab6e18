import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { Pager, QueryState, Stage, Time, usePaged } from '../components/states.tsx';
import { graphql } from '../gql/index.ts';

const ProvidersQuery = graphql(`
  query OverviewProviders {
    providers {
      name
      kind
      status
      lastSyncAt
      lastError
    }
  }
`);

const AssetCountsQuery = graphql(`
  query OverviewAssets {
    modelVersions(first: 500) {
      nodes {
        id
        model {
          name
          provider {
            name
          }
        }
      }
      pageInfo {
        hasNextPage
      }
    }
    featureViews(limit: 500) {
      totalCount
      items {
        id
        provider {
          name
        }
      }
    }
    endpoints(first: 500) {
      totalCount
      nodes {
        id
        provider {
          name
        }
        deployments(status: ACTIVE, first: 1) {
          totalCount
        }
      }
    }
  }
`);

const PromotionsQuery = graphql(`
  query OverviewPromotions {
    promotions(first: 50) {
      id
      from
      to
      status
      actor
      reason
      createdAt
      modelVersion {
        id
        version
        model {
          name
          provider {
            name
          }
        }
      }
    }
  }
`);

const AtRiskQuery = graphql(`
  query OverviewAtRisk($after: String) {
    atRiskDeployments(first: 20, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        deployment {
          id
        }
        endpointName
        provider
        owner
        stage
        trafficPercent
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
          openIncidents {
            severity
            description
          }
        }
      }
    }
  }
`);

function ProvidersCard() {
  const [result] = useQuery({ query: ProvidersQuery });
  return (
    <section className="card" aria-labelledby="providers-h">
      <h2 id="providers-h">Providers</h2>
      <QueryState {...result} isEmpty={(d) => d.providers.length === 0} empty="No provider configured.">
        {(data) => (
          <div className="table-wrap">
            <table aria-label="Providers">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Kind</th>
                  <th>Sync status</th>
                  <th>Last sync</th>
                  <th>Last error</th>
                </tr>
              </thead>
              <tbody>
                {data.providers.map((p) => (
                  <tr key={p.name}>
                    <td>{p.name}</td>
                    <td>{p.kind}</td>
                    <td>
                      <span className={`status status-${p.status.toLowerCase()}`}>{p.status}</span>
                    </td>
                    <td>
                      <Time at={p.lastSyncAt} />
                    </td>
                    <td className={p.lastError ? 'error-text' : 'muted'}>{p.lastError ?? '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </section>
  );
}

function AssetsCard() {
  const [result] = useQuery({ query: AssetCountsQuery });
  const rows = useMemo(() => {
    const data = result.data;
    if (!data) return [];
    const byProvider = new Map<
      string,
      { models: Set<string>; versions: number; views: number; endpoints: number; deployments: number }
    >();
    const of = (name: string) => {
      let row = byProvider.get(name);
      if (!row)
        byProvider.set(name, (row = { models: new Set(), versions: 0, views: 0, endpoints: 0, deployments: 0 }));
      return row;
    };
    for (const v of data.modelVersions.nodes) {
      const row = of(v.model.provider.name);
      row.models.add(v.model.name);
      row.versions += 1;
    }
    for (const view of data.featureViews.items) of(view.provider.name).views += 1;
    for (const e of data.endpoints.nodes) {
      const row = of(e.provider.name);
      row.endpoints += 1;
      row.deployments += e.deployments.totalCount ?? 0;
    }
    return [...byProvider.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [result.data]);
  return (
    <section className="card" aria-labelledby="assets-h">
      <h2 id="assets-h">Assets per provider</h2>
      <QueryState
        {...result}
        isEmpty={() => rows.length === 0}
        empty="The catalog is empty: register a model or apply a feature view."
      >
        {(data) => (
          <div className="table-wrap">
            <table aria-label="Assets per provider">
              <thead>
                <tr>
                  <th>Provider</th>
                  <th>Models</th>
                  <th>Versions</th>
                  <th>Feature views</th>
                  <th>Endpoints</th>
                  <th>Deployments</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(([name, row]) => (
                  <tr key={name}>
                    <td>{name}</td>
                    <td>{row.models.size}</td>
                    <td>
                      {row.versions}
                      {data.modelVersions.pageInfo.hasNextPage ? '+' : ''}
                    </td>
                    <td>{row.views}</td>
                    <td>{row.endpoints}</td>
                    <td>{row.deployments}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </section>
  );
}

function PromotionsCard() {
  const [result] = useQuery({ query: PromotionsQuery });
  const { shown, pager } = usePaged(result.data?.promotions ?? [], 8);
  return (
    <section className="card" aria-labelledby="promotions-h">
      <h2 id="promotions-h">Recent promotions</h2>
      <QueryState {...result} isEmpty={(d) => d.promotions.length === 0} empty="No promotion yet.">
        {() => (
          <>
            <div className="table-wrap">
              <table aria-label="Recent promotions">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Model version</th>
                    <th>Move</th>
                    <th>Outcome</th>
                    <th>By</th>
                    <th>Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((p) => (
                    <tr key={p.id}>
                      <td>
                        <Time at={p.createdAt} />
                      </td>
                      <td>
                        <Link to={`/models?version=${encodeURIComponent(p.modelVersion.id)}`}>
                          {p.modelVersion.model.name} v{p.modelVersion.version}
                        </Link>{' '}
                        <span className="provider">{p.modelVersion.model.provider.name}</span>
                      </td>
                      <td>
                        <Stage stage={p.from} /> → <Stage stage={p.to} />
                      </td>
                      <td>
                        <span className={`outcome outcome-${p.status.toLowerCase()}`}>{p.status}</span>
                      </td>
                      <td>{p.actor}</td>
                      <td>{p.reason ?? '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {pager}
          </>
        )}
      </QueryState>
    </section>
  );
}

function AtRiskCard() {
  // The cursor each page starts after (the first page: none).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [result] = useQuery({ query: AtRiskQuery, variables: { after: cursors[cursors.length - 1] } });
  return (
    <section className="card" aria-labelledby="risk-h">
      <h2 id="risk-h">At-risk production deployments</h2>
      <QueryState
        {...result}
        isEmpty={(d) => d.atRiskDeployments.nodes.length === 0}
        empty="No production deployment depends on a feature with an open incident."
      >
        {(data) => (
          <>
            <div className="table-wrap">
              <table aria-label="At-risk production deployments">
                <thead>
                  <tr>
                    <th>Endpoint</th>
                    <th>Provider</th>
                    <th>Model version</th>
                    <th>Traffic</th>
                    <th>Owner</th>
                    <th>Features with incidents</th>
                  </tr>
                </thead>
                <tbody>
                  {data.atRiskDeployments.nodes.map((d) => (
                    <tr key={d.deployment.id} className="hot">
                      <td>{d.endpointName}</td>
                      <td>{d.provider}</td>
                      <td>
                        {d.modelVersion.model.name} v{d.modelVersion.version} <Stage stage={d.stage} />
                      </td>
                      <td>{d.trafficPercent}%</td>
                      <td>{d.owner ?? '–'}</td>
                      <td>
                        {d.incidentFeatures.map((f) => (
                          <div key={f.id}>
                            {f.name}: {f.openIncidents.map((i) => `${i.severity} ${i.description}`).join('; ')}
                          </div>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {(cursors.length > 1 || data.atRiskDeployments.pageInfo.hasNextPage) && (
              <Pager
                page={cursors.length - 1}
                hasNext={data.atRiskDeployments.pageInfo.hasNextPage}
                total={data.atRiskDeployments.totalCount ?? undefined}
                onPage={(page) =>
                  setCursors(
                    page < cursors.length - 1
                      ? cursors.slice(0, page + 1)
                      : [...cursors, data.atRiskDeployments.pageInfo.endCursor ?? null],
                  )
                }
              />
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}

export function OverviewPage() {
  return (
    <>
      <h1>Overview</h1>
      <div className="cards">
        <AssetsCard />
        <ProvidersCard />
        <AtRiskCard />
        <PromotionsCard />
      </div>
    </>
  );
}
