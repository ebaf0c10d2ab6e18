import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { ErrorBox, Pager, QueryState, Stage, Time } from '../components/states.tsx';
import { graphql } from '../gql/index.ts';
import type { EndpointsListQuery } from '../gql/graphql.ts';

/** What names a deployment on the page (retired ones too, in the history). */
graphql(`
  fragment DeploymentLabel on Deployment {
    id
    modelVersion {
      version
      model {
        name
      }
    }
  }
`);

graphql(`
  fragment AnalysisFigures on RolloutFigures {
    requests
    errors
    errorRate
    latencyP99Ms
  }
`);

const EndpointsQuery = graphql(`
  query EndpointsList($provider: String, $first: Int!, $after: String) {
    endpoints(provider: $provider, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        status
        owner
        description
        createdAt
        provider {
          name
        }
        trafficSplit {
          percent
          shadow
          deployment {
            id
          }
        }
        stableDeployment {
          id
        }
        activeRollout {
          id
          strategy
          status
          steps
          stepIndex
          currentPercent
          thresholds {
            bakeSeconds
          }
          startedAt
          stepStartedAt
          nextCheckAt
          lastAnalysis {
            at
            verdict
            reasons
            canary {
              ...AnalysisFigures
            }
            baseline {
              ...AnalysisFigures
            }
            shadow {
              ...AnalysisFigures
            }
            live {
              ...AnalysisFigures
            }
          }
          deployment {
            id
          }
        }
        rollouts(first: 5) {
          nodes {
            id
            strategy
            status
            steps
            currentPercent
            reason
            startedAt
            finishedAt
            deployment {
              ...DeploymentLabel
            }
          }
        }
        trafficHistory(first: 8) {
          totalCount
          nodes {
            id
            reason
            actor
            createdAt
            live {
              percent
              deployment {
                ...DeploymentLabel
              }
            }
            shadow {
              percent
              deployment {
                ...DeploymentLabel
              }
            }
          }
        }
        deployments(status: ACTIVE, first: 50) {
          nodes {
            id
            strategy
            status
            trafficPercent
            shadowPercent
            createdAt
            modelVersion {
              id
              version
              stage
              model {
                name
              }
            }
          }
        }
      }
    }
  }
`);

const ProviderNamesQuery = graphql(`
  query EndpointProviders {
    providers {
      name
    }
  }
`);

const SetTrafficSplit = graphql(`
  mutation SetTrafficSplit($input: SetTrafficSplitInput!) {
    setTrafficSplit(input: $input) {
      id
      trafficSplit {
        percent
        shadow
        deployment {
          id
        }
      }
    }
  }
`);

const RollbackEndpoint = graphql(`
  mutation RollbackEndpoint($input: RollbackEndpointInput!) {
    rollbackEndpoint(input: $input) {
      id
      trafficSplit {
        percent
        shadow
        deployment {
          id
        }
      }
    }
  }
`);

type EndpointRow = EndpointsListQuery['endpoints']['nodes'][number];
type Analysis = NonNullable<NonNullable<EndpointRow['activeRollout']>['lastAnalysis']>;

const PAGE = 10;
const COLORS = ['#1565c0', '#e65100', '#2e7d32', '#6a1b9a', '#00838f', '#ad1457'];

function deploymentName(d: { modelVersion: { version: number; model: { name: string } } }) {
  return `${d.modelVersion.model.name} v${d.modelVersion.version}`;
}

/** An active deployment of the endpoint by its model version; any other by its ID. */
function deploymentLabel(endpoint: EndpointRow, deploymentId: string) {
  const d = endpoint.deployments.nodes.find((x) => x.id === deploymentId);
  return d ? deploymentName(d) : deploymentId;
}

function figures(f: { requests: number; errors: number; errorRate?: number | null; latencyP99Ms?: number | null }) {
  const p99 = f.latencyP99Ms != null ? `, p99 ${f.latencyP99Ms} ms` : '';
  return `${f.requests} requests, ${f.errors} errors${p99}`;
}

/** The verdict of the last look at a rollout, its reasons, and the figures it judged. */
function AnalysisSummary({ analysis }: { analysis: Analysis }) {
  const sides = [
    ['canary', analysis.canary],
    ['baseline', analysis.baseline],
    ['shadow', analysis.shadow],
    ['live', analysis.live],
  ] as const;
  return (
    <p className="muted">
      Last analysis (<Time at={analysis.at} />
      ): <strong>{analysis.verdict}</strong>
      {analysis.reasons.length > 0 ? ` — ${analysis.reasons.join('; ')}` : ''}
      {sides
        .filter(([, f]) => f != null)
        .map(([name, f]) => (
          <span key={name}>
            ; {name}: {figures(f!)}
          </span>
        ))}
    </p>
  );
}

export function TrafficBar({ endpoint, shadow }: { endpoint: EndpointRow; shadow: boolean }) {
  const shares = endpoint.trafficSplit.filter((s) => s.shadow === shadow && s.percent > 0);
  if (shares.length === 0) return <p className="muted">{shadow ? 'No shadow traffic.' : 'No live traffic.'}</p>;
  const label = (id: string) => deploymentLabel(endpoint, id);
  return (
    <div
      className={`bar${shadow ? ' shadow' : ''}`}
      role="img"
      aria-label={`${shadow ? 'Shadow' : 'Live'} traffic: ${shares.map((s) => `${label(s.deployment.id)} ${s.percent}%`).join(', ')}`}
    >
      {shares.map((s) => {
        const index = endpoint.deployments.nodes.findIndex((d) => d.id === s.deployment.id);
        return (
          <span
            key={s.deployment.id}
            className="segment"
            style={{ width: `${s.percent}%`, background: COLORS[Math.max(0, index) % COLORS.length] }}
            title={`${label(s.deployment.id)}: ${s.percent}%`}
          >
            {label(s.deployment.id)} {s.percent}%
          </span>
        );
      })}
    </div>
  );
}

function RolloutProgress({ endpoint }: { endpoint: EndpointRow }) {
  const rollout = endpoint.activeRollout;
  if (!rollout) return <p className="muted">No rollout in progress.</p>;
  return (
    <section aria-label="Rollout in progress" className="rollout">
      <p>
        <strong>{rollout.strategy}</strong> of {deploymentLabel(endpoint, rollout.deployment.id)}:{' '}
        {rollout.currentPercent}% live, step {Math.min(rollout.stepIndex + 1, rollout.steps.length)} of{' '}
        {rollout.steps.length}, each held {rollout.thresholds.bakeSeconds} s
        {rollout.nextCheckAt && (
          <>
            {' '}
            (next check <Time at={rollout.nextCheckAt} />)
          </>
        )}
      </p>
      <ol className="progress" aria-label="Rollout steps">
        {rollout.steps.map((step, i) => (
          <li
            key={i}
            className={i < rollout.stepIndex ? 'done' : i === rollout.stepIndex ? 'now' : undefined}
            aria-current={i === rollout.stepIndex ? 'step' : undefined}
          >
            {step}%
          </li>
        ))}
      </ol>
      {rollout.lastAnalysis != null && <AnalysisSummary analysis={rollout.lastAnalysis} />}
    </section>
  );
}

function SplitEditor({ endpoint, onChanged }: { endpoint: EndpointRow; onChanged: () => void }) {
  const active = endpoint.deployments.nodes;
  const initial = () => Object.fromEntries(active.map((d) => [d.id, String(d.trafficPercent)]));
  const [shares, setShares] = useState<Record<string, string>>(initial);
  const [result, setSplit] = useMutation(SetTrafficSplit);
  const current = active.map((d) => `${d.id}=${d.trafficPercent}`).join(',');
  useEffect(() => setShares(initial()), [current]); // eslint-disable-line react-hooks/exhaustive-deps
  const sum = Object.values(shares).reduce((n, v) => n + (Number(v) || 0), 0);
  if (active.length < 2) return null; // one deployment holds all the traffic: nothing to split
  return (
    <form
      className="controls split-editor"
      aria-label={`Traffic split of ${endpoint.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        const split = active.map((d) => ({ deploymentId: d.id, percent: Number(shares[d.id] ?? 0) }));
        void setSplit({ input: { endpointId: endpoint.id, split } }).then((r) => {
          if (!r.error) onChanged();
        });
      }}
    >
      {active.map((d) => (
        <label key={d.id}>
          {d.modelVersion.model.name} v{d.modelVersion.version} live %
          <input
            type="number"
            min={0}
            max={100}
            step={1}
            inputMode="numeric"
            value={shares[d.id] ?? ''}
            onChange={(e) => setShares({ ...shares, [d.id]: e.target.value })}
          />
        </label>
      ))}
      <span className={sum === 100 ? 'muted' : 'error-text'} aria-live="polite">
        total {sum}%{sum === 100 ? '' : ' (must be 100)'}
      </span>
      <button type="submit" className="primary" disabled={result.fetching}>
        Save split
      </button>
      <ErrorBox error={result.error} />
    </form>
  );
}

function RollbackButton({ endpoint, onChanged }: { endpoint: EndpointRow; onChanged: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [result, rollback] = useMutation(RollbackEndpoint);
  const stable = endpoint.stableDeployment;
  return (
    <>
      <button
        type="button"
        className="danger"
        disabled={!stable || result.fetching}
        onClick={() => dialog.current?.showModal()}
        title={stable ? undefined : 'No deployment has held 100% of the traffic yet'}
      >
        Roll back…
      </button>
      <ErrorBox error={result.error} />
      <dialog ref={dialog} aria-labelledby={`rb-${endpoint.id}`}>
        <form method="dialog">
          <h3 id={`rb-${endpoint.id}`}>Roll back {endpoint.name}?</h3>
          <p>
            All live traffic returns to the stable deployment, {stable ? deploymentLabel(endpoint, stable.id) : '–'}
            {endpoint.activeRollout ? '; the rollout in progress ends as ROLLED_BACK.' : '.'}
          </p>
          <div className="controls">
            <button value="cancel" autoFocus>
              Cancel
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => {
                dialog.current?.close();
                void rollback({ input: { endpointId: endpoint.id } }).then((r) => {
                  if (!r.error) onChanged();
                });
              }}
            >
              Roll back now
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

function EndpointCard({ endpoint, onChanged }: { endpoint: EndpointRow; onChanged: () => void }) {
  const active = endpoint.deployments.nodes;
  return (
    <article className="card endpoint" aria-labelledby={`ep-${endpoint.id}`} data-endpoint={endpoint.name}>
      <div className="heading-row">
        <h2 id={`ep-${endpoint.id}`}>
          {endpoint.name} <span className="provider">{endpoint.provider.name}</span>{' '}
          <span className="status">{endpoint.status}</span>
        </h2>
        <RollbackButton endpoint={endpoint} onChanged={onChanged} />
      </div>
      <p className="muted">
        Owner {endpoint.owner ?? '–'}
        {endpoint.description ? ` — ${endpoint.description}` : ''}
      </p>
      <h3>Traffic</h3>
      <TrafficBar endpoint={endpoint} shadow={false} />
      <TrafficBar endpoint={endpoint} shadow />
      <SplitEditor endpoint={endpoint} onChanged={onChanged} />
      <h3>Rollout</h3>
      <RolloutProgress endpoint={endpoint} />
      <h3>Deployments</h3>
      {active.length === 0 ? (
        <p className="empty">Nothing deployed.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label={`Deployments of ${endpoint.name}`}>
            <thead>
              <tr>
                <th>Deployment</th>
                <th>Model version</th>
                <th>Strategy</th>
                <th>Status</th>
                <th>Live</th>
                <th>Shadow</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {active.map((d) => (
                <tr key={d.id}>
                  <td>
                    <code>{d.id.split(':').slice(2).join(':')}</code>
                    {endpoint.stableDeployment?.id === d.id ? ' (stable)' : ''}
                  </td>
                  <td>
                    {d.modelVersion.model.name} v{d.modelVersion.version} <Stage stage={d.modelVersion.stage} />
                  </td>
                  <td>{d.strategy}</td>
                  <td>{d.status}</td>
                  <td>{d.trafficPercent}%</td>
                  <td>{d.shadowPercent ? `${d.shadowPercent}%` : '–'}</td>
                  <td>
                    <Time at={d.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {endpoint.trafficHistory.nodes.length > 0 && (
        <details>
          <summary>
            Traffic history
            {endpoint.trafficHistory.totalCount != null &&
            endpoint.trafficHistory.totalCount > endpoint.trafficHistory.nodes.length
              ? ` (latest ${endpoint.trafficHistory.nodes.length} of ${endpoint.trafficHistory.totalCount})`
              : ''}
          </summary>
          <div className="table-wrap">
            <table aria-label={`Traffic history of ${endpoint.name}`}>
              <thead>
                <tr>
                  <th>When</th>
                  <th>Change</th>
                  <th>By</th>
                  <th>Live split</th>
                </tr>
              </thead>
              <tbody>
                {endpoint.trafficHistory.nodes.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Time at={c.createdAt} />
                    </td>
                    <td>{c.reason}</td>
                    <td>{c.actor}</td>
                    <td>
                      {c.live.map((s) => `${deploymentName(s.deployment)} ${s.percent}%`).join(', ')}
                      {c.shadow.length > 0
                        ? `; shadow ${c.shadow.map((s) => `${deploymentName(s.deployment)} ${s.percent}%`).join(', ')}`
                        : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
      {endpoint.rollouts.nodes.length > 0 && (
        <details>
          <summary>Rollouts</summary>
          <ul>
            {endpoint.rollouts.nodes.map((r) => (
              <li key={r.id}>
                {r.strategy} of {deploymentName(r.deployment)} [{r.steps.join(' → ')}]: {r.status}
                {r.reason ? ` — ${r.reason}` : ''} <Time at={r.startedAt} />
              </li>
            ))}
          </ul>
        </details>
      )}
    </article>
  );
}

export function EndpointsPage() {
  const [params, setParams] = useSearchParams();
  const provider = params.get('provider') ?? '';
  // The cursor each page starts after (the first page: none).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  useEffect(() => setCursors([null]), [provider]);
  const [result, refetch] = useQuery({
    query: EndpointsQuery,
    variables: { provider: provider || null, first: PAGE, after: cursors[cursors.length - 1] },
  });
  const [providers] = useQuery({ query: ProviderNamesQuery });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  const endpoints = result.data?.endpoints.nodes ?? [];
  const pageInfo = result.data?.endpoints.pageInfo;
  return (
    <>
      <h1>Endpoints</h1>
      <form className="controls" aria-label="Filter endpoints" onSubmit={(e) => e.preventDefault()}>
        <label>
          Provider
          <select value={provider} onChange={(e) => setParams(e.target.value ? { provider: e.target.value } : {})}>
            <option value="">every provider</option>
            {(providers.data?.providers ?? []).map((p) => (
              <option key={p.name}>{p.name}</option>
            ))}
          </select>
        </label>
      </form>
      <QueryState {...result} isEmpty={() => endpoints.length === 0} empty="No endpoint yet.">
        {() => (
          <>
            {endpoints.map((endpoint) => (
              <EndpointCard key={endpoint.id} endpoint={endpoint} onChanged={refresh} />
            ))}
            {(cursors.length > 1 || pageInfo?.hasNextPage) && (
              <Pager
                page={cursors.length - 1}
                hasNext={Boolean(pageInfo?.hasNextPage)}
                total={result.data?.endpoints.totalCount ?? undefined}
                onPage={(page) =>
                  setCursors(
                    page < cursors.length - 1 ? cursors.slice(0, page + 1) : [...cursors, pageInfo?.endCursor ?? null],
                  )
                }
              />
            )}
          </>
        )}
      </QueryState>
    </>
  );
}
