import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { ErrorBox, FocusHeading, Json, Pager, QueryState, Time } from '../components/states.tsx';
import { graphql } from '../gql/index.ts';
import type { IncidentSeverity } from '../gql/graphql.ts';

const ViewsQuery = graphql(`
  query FeatureViewsList($offset: Int!, $limit: Int!, $filter: FeatureViewFilter) {
    featureViews(offset: $offset, limit: $limit, filter: $filter) {
      totalCount
      items {
        id
        name
        version
        entity
        owner
        tags
        createdAt
        provider {
          name
        }
        features {
          id
          quality
          openIncidents {
            id
          }
        }
      }
    }
  }
`);

const ViewDetailQuery = graphql(`
  query FeatureViewDetail($name: String!) {
    featureView(name: $name) {
      id
      name
      version
      entity
      joinKey
      ttlSeconds
      owner
      description
      tags
      createdAt
      provider {
        name
      }
      features {
        id
        name
        dtype
        description
        quality
        checks
        lastChecks
        checkedAt
        openIncidents {
          id
          severity
          description
          status
          reportedBy
          createdAt
        }
        usedBy {
          id
          version
          stage
          model {
            name
          }
        }
      }
    }
    versions: featureViews(filter: { namePrefix: $name, allVersions: true }, limit: 50) {
      items {
        id
        name
        version
        createdAt
        features {
          name
        }
      }
    }
  }
`);

const ReportIncident = graphql(`
  mutation ReportIncident($input: ReportFeatureIncidentInput!) {
    reportFeatureIncident(input: $input) {
      id
      status
      severity
      feature {
        id
      }
    }
  }
`);

const ResolveIncident = graphql(`
  mutation ResolveIncident($input: ResolveFeatureIncidentInput!) {
    resolveFeatureIncident(input: $input) {
      id
      status
      resolvedAt
      feature {
        id
      }
    }
  }
`);

const PAGE = 20;
const SEVERITIES: IncidentSeverity[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

function ViewDetail({ name }: { name: string }) {
  const [result, refetch] = useQuery({ query: ViewDetailQuery, variables: { name } });
  const [reported, report] = useMutation(ReportIncident);
  const [resolved, resolve] = useMutation(ResolveIncident);
  const [featureId, setFeatureId] = useState('');
  const [severity, setSeverity] = useState<IncidentSeverity>('HIGH');
  const [description, setDescription] = useState('');
  const after = () => refetch({ requestPolicy: 'network-only' });
  return (
    <QueryState
      {...result}
      isEmpty={(d) => !d.featureView}
      empty={
        <>
          No feature view named <code>{name}</code>.
        </>
      }
    >
      {(data) => {
        const view = data.featureView!;
        const versions = data.versions.items.filter((v) => v.name === view.name);
        const incidents = view.features.flatMap((f) => f.openIncidents.map((i) => ({ ...i, feature: f.name })));
        return (
          <section className="detail" aria-labelledby="view-h">
            <FocusHeading id="view-h">
              {view.name} v{view.version} <span className="provider">{view.provider.name}</span>
            </FocusHeading>
            {view.description && <p>{view.description}</p>}
            <p className="muted">
              Entity <code>{view.entity}</code> by <code>{view.joinKey}</code>, TTL {view.ttlSeconds ?? '–'} s, owner{' '}
              {view.owner ?? '–'}, tags {view.tags.join(', ') || '–'}.
            </p>
            <h3>Features</h3>
            <div className="table-wrap">
              <table aria-label="Features of the view">
                <thead>
                  <tr>
                    <th>Feature</th>
                    <th>Type</th>
                    <th>Quality</th>
                    <th>Last checks</th>
                    <th>Checked</th>
                    <th>Used by</th>
                    <th>Open incidents</th>
                  </tr>
                </thead>
                <tbody>
                  {view.features.map((f) => (
                    <tr key={f.id}>
                      <td>{f.name}</td>
                      <td>{f.dtype}</td>
                      <td>
                        <span className={`quality q-${f.quality.toLowerCase()}`}>{f.quality}</span>
                      </td>
                      <td>
                        <Json value={f.lastChecks} />
                      </td>
                      <td>
                        <Time at={f.checkedAt} />
                      </td>
                      <td>
                        {f.usedBy == null ? (
                          <span className="muted">unavailable</span>
                        ) : (
                          f.usedBy.map((m) => `${m.model.name} v${m.version}`).join(', ') || '–'
                        )}
                      </td>
                      <td>{f.openIncidents.length}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <h3>Open incidents</h3>
            {incidents.length === 0 ? (
              <p className="empty">No open incident.</p>
            ) : (
              <ul className="incidents" aria-label="Open incidents">
                {incidents.map((i) => (
                  <li key={i.id}>
                    <span className={`severity sev-${i.severity.toLowerCase()}`}>{i.severity}</span>{' '}
                    <strong>{i.feature}</strong>: {i.description}
                    <span className="muted">
                      {' '}
                      reported by {i.reportedBy ?? '–'} <Time at={i.createdAt} />
                    </span>{' '}
                    <button
                      type="button"
                      disabled={resolved.fetching}
                      onClick={() => void resolve({ input: { id: i.id } }).then(after)}
                    >
                      Resolve
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <ErrorBox error={resolved.error} />
            <form
              className="controls"
              aria-label="Report an incident"
              onSubmit={(e) => {
                e.preventDefault();
                void report({
                  input: { featureId: featureId || view.features[0]?.id || '', severity, description },
                }).then((r) => {
                  if (!r.error) {
                    setDescription('');
                    after();
                  }
                });
              }}
            >
              <label>
                Feature
                <select value={featureId || view.features[0]?.id} onChange={(e) => setFeatureId(e.target.value)}>
                  {view.features.map((f) => (
                    <option key={f.id} value={f.id}>
                      {f.name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Severity
                <select value={severity} onChange={(e) => setSeverity(e.target.value as IncidentSeverity)}>
                  {SEVERITIES.map((s) => (
                    <option key={s}>{s}</option>
                  ))}
                </select>
              </label>
              <label>
                Description <input value={description} onChange={(e) => setDescription(e.target.value)} />
              </label>
              <button type="submit" disabled={reported.fetching}>
                Report incident
              </button>
            </form>
            <ErrorBox error={reported.error} />
            <h3>Versions</h3>
            <ul>
              {versions.map((v) => (
                <li key={v.id}>
                  v{v.version}: {v.features.map((f) => f.name).join(', ')} — <Time at={v.createdAt} />
                </li>
              ))}
            </ul>
          </section>
        );
      }}
    </QueryState>
  );
}

export function FeaturesPage() {
  const [params, setParams] = useSearchParams();
  const [page, setPage] = useState(0);
  const [prefix, setPrefix] = useState('');
  const [result] = useQuery({
    query: ViewsQuery,
    variables: { offset: page * PAGE, limit: PAGE, filter: prefix ? { namePrefix: prefix } : null },
  });
  const current = params.get('view');
  return (
    <>
      <h1>Features</h1>
      <form className="controls" aria-label="Filter feature views" onSubmit={(e) => e.preventDefault()}>
        <label>
          View name starts with{' '}
          <input
            value={prefix}
            onChange={(e) => {
              setPrefix(e.target.value);
              setPage(0);
            }}
          />
        </label>
      </form>
      <QueryState {...result} isEmpty={(d) => d.featureViews.items.length === 0} empty="No feature view matches.">
        {(data) => (
          <>
            <div className="table-wrap">
              <table aria-label="Feature views">
                <thead>
                  <tr>
                    <th>View</th>
                    <th>Version</th>
                    <th>Provider</th>
                    <th>Entity</th>
                    <th>Owner</th>
                    <th>Features</th>
                    <th>Failing</th>
                    <th>Open incidents</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {data.featureViews.items.map((v) => (
                    <tr key={v.id} className={v.name === current ? 'current' : undefined}>
                      <td>{v.name}</td>
                      <td>v{v.version}</td>
                      <td>{v.provider.name}</td>
                      <td>{v.entity}</td>
                      <td>{v.owner ?? '–'}</td>
                      <td>{v.features.length}</td>
                      <td>{v.features.filter((f) => f.quality === 'FAILING').length}</td>
                      <td>{v.features.reduce((n, f) => n + f.openIncidents.length, 0)}</td>
                      <td>
                        <button type="button" onClick={() => setParams({ view: v.name })} aria-label={`Open ${v.name}`}>
                          Open
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {data.featureViews.totalCount > PAGE && (
              <Pager
                page={page}
                pages={Math.ceil(data.featureViews.totalCount / PAGE)}
                total={data.featureViews.totalCount}
                onPage={setPage}
              />
            )}
          </>
        )}
      </QueryState>
      {current && <ViewDetail key={current} name={current} />}
    </>
  );
}
