import { useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { QueryState, Stage, Time, usePaged } from '../components/states.tsx';
import { graphql } from '../gql/index.ts';
import type { EndpointsListQuery } from '../gql/graphql.ts';

const EndpointsQuery = graphql(`
  query EndpointsList {
    endpoints {
      id name status createdAt
      provider { name }
      trafficSplit { percent shadow deployment { id } }
      deployments { id strategy status createdAt modelVersion { id version stage model { name } } }
    }
  }
`);

type EndpointRow = EndpointsListQuery['endpoints'][number];

const COLORS = ['#1565c0', '#e65100', '#2e7d32', '#6a1b9a', '#00838f', '#ad1457'];

export function TrafficBar({ endpoint, shadow }: { endpoint: EndpointRow; shadow: boolean }) {
  const shares = endpoint.trafficSplit.filter((s) => s.shadow === shadow && s.percent > 0);
  const label = (deploymentId: string) => {
    const d = endpoint.deployments.find((x) => x.id === deploymentId);
    return d ? `${d.modelVersion.model.name} v${d.modelVersion.version}` : deploymentId;
  };
  if (shares.length === 0) return <p className="muted">{shadow ? 'No shadow traffic.' : 'No live traffic.'}</p>;
  return (
    <div className={`bar${shadow ? ' shadow' : ''}`} role="img" aria-label={`${shadow ? 'Shadow' : 'Live'} traffic: ${shares.map((s) => `${label(s.deployment.id)} ${s.percent}%`).join(', ')}`}>
      {shares.map((s) => {
        const index = endpoint.deployments.findIndex((d) => d.id === s.deployment.id);
        return (
          <span key={s.deployment.id} className="segment" style={{ width: `${s.percent}%`, background: COLORS[Math.max(0, index) % COLORS.length] }} title={`${label(s.deployment.id)}: ${s.percent}%`}>
            {label(s.deployment.id)} {s.percent}%
          </span>
        );
      })}
    </div>
  );
}

function EndpointCard({ endpoint }: { endpoint: EndpointRow }) {
  const active = endpoint.deployments.filter((d) => d.status !== 'RETIRED');
  return (
    <article className="card endpoint" aria-labelledby={`ep-${endpoint.id}`} data-endpoint={endpoint.name}>
      <h2 id={`ep-${endpoint.id}`}>{endpoint.name} <span className="provider">{endpoint.provider.name}</span> <span className="status">{endpoint.status}</span></h2>
      <h3>Live traffic</h3>
      <TrafficBar endpoint={endpoint} shadow={false} />
      <TrafficBar endpoint={endpoint} shadow />
      <h3>Deployments</h3>
      {active.length === 0 ? <p className="empty">Nothing deployed.</p> : (
        <div className="table-wrap">
          <table aria-label={`Deployments of ${endpoint.name}`}>
            <thead><tr><th>Deployment</th><th>Model version</th><th>Strategy</th><th>Status</th><th>Live</th><th>Created</th></tr></thead>
            <tbody>
              {active.map((d) => {
                const share = endpoint.trafficSplit.find((s) => s.deployment.id === d.id && !s.shadow);
                return (
                  <tr key={d.id}>
                    <td><code>{d.id.split(':').slice(2).join(':')}</code></td>
                    <td>{d.modelVersion.model.name} v{d.modelVersion.version} <Stage stage={d.modelVersion.stage} /></td>
                    <td>{d.strategy}</td><td>{d.status}</td><td>{share?.percent ?? 0}%</td><td><Time at={d.createdAt} /></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </article>
  );
}

export function EndpointsPage() {
  const [params, setParams] = useSearchParams();
  const [result] = useQuery({ query: EndpointsQuery });
  const provider = params.get('provider') ?? '';
  const endpoints = (result.data?.endpoints ?? []).filter((e) => !provider || e.provider.name === provider);
  const providers = [...new Set((result.data?.endpoints ?? []).map((e) => e.provider.name))].sort();
  const { shown, pager } = usePaged(endpoints, 10);
  return (
    <>
      <h1>Endpoints</h1>
      <form className="controls" aria-label="Filter endpoints" onSubmit={(e) => e.preventDefault()}>
        <label>Provider
          <select value={provider} onChange={(e) => setParams(e.target.value ? { provider: e.target.value } : {})}>
            <option value="">every provider</option>
            {providers.map((p) => <option key={p}>{p}</option>)}
          </select>
        </label>
      </form>
      <QueryState {...result} isEmpty={() => endpoints.length === 0} empty="No endpoint yet.">
        {() => <>{shown.map((endpoint) => <EndpointCard key={endpoint.id} endpoint={endpoint} />)}{pager}</>}
      </QueryState>
    </>
  );
}
