import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { AssetSearch } from '../components/AssetSearch.tsx';
import { LineageGraph, Legend, type GraphNode } from '../components/LineageGraph.tsx';
import { ErrorBox, Json, Loading, Stage, Time, usePaged } from '../components/states.tsx';
import { graphql } from '../gql/index.ts';
import type { LineageQuery } from '../gql/graphql.ts';

/** What the explorer and the impact page show of a node: its kind, place and the asset's own details. */
export const LineageNodeFields = graphql(`
  fragment LineageNodeFields on LineageNode {
    id
    kind
    name
    provider
    depth
    feature {
      id
      name
      dtype
      quality
      checkedAt
      featureView {
        name
        version
        owner
      }
      openIncidents {
        id
        severity
        description
      }
    }
    featureView {
      id
      name
      version
      entity
      owner
      description
      tags
    }
    dataset {
      id
      name
      version
      rowCount
      contentHash
      createdAt
      createdBy
    }
    modelVersion {
      id
      version
      stage
      aliases
      metrics
      createdBy
      createdAt
      model {
        name
      }
    }
    deployment {
      id
      strategy
      status
      createdAt
    }
    endpoint {
      id
      name
      status
    }
  }
`);

const LineageQueryDoc = graphql(`
  query Lineage($id: ID!, $depth: Int!, $direction: LineageDirection!, $asOf: DateTime) {
    lineage(id: $id, depth: $depth, direction: $direction, asOf: $asOf, limit: 500) {
      root
      asOf
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

export type LineageNodeData = LineageQuery['lineage']['nodes'][number];

export const IMPACT_KINDS = ['feature', 'featureView', 'dataset', 'modelVersion'];

/** A node's display name and stage from its entity fields (the native ID when the entity is unavailable). */
export function describeNode(node: LineageNodeData): GraphNode {
  let label = node.name;
  let stage: string | null = null;
  if (node.featureView) label = `${node.featureView.name} v${node.featureView.version}`;
  if (node.feature) label = `${node.feature.featureView.name}:${node.feature.name}`;
  if (node.dataset) label = `${node.dataset.name} v${node.dataset.version}`;
  if (node.modelVersion) {
    label = `${node.modelVersion.model.name} v${node.modelVersion.version}`;
    stage = node.modelVersion.stage;
  }
  if (node.endpoint) label = node.endpoint.name;
  return { id: node.id, kind: node.kind, name: node.name, provider: node.provider, depth: node.depth, stage, label };
}

export function NodeDetails({ node }: { node: LineageNodeData }) {
  const shown = describeNode(node);
  return (
    <section className="details" aria-label="Asset details">
      <h3>
        <span className={`kind kind-${node.kind}`}>{node.kind}</span> {shown.label}
      </h3>
      <dl>
        <dt>ID</dt>
        <dd>
          <code>{node.id}</code>
        </dd>
        <dt>Provider</dt>
        <dd>{node.provider}</dd>
        <dt>Hops from root</dt>
        <dd>{node.depth}</dd>
        {node.featureView && (
          <>
            <dt>Entity</dt>
            <dd>{node.featureView.entity}</dd>
            <dt>Owner</dt>
            <dd>{node.featureView.owner ?? '–'}</dd>
            <dt>Description</dt>
            <dd>{node.featureView.description ?? '–'}</dd>
          </>
        )}
        {node.feature && (
          <>
            <dt>Type</dt>
            <dd>{node.feature.dtype}</dd>
            <dt>Quality</dt>
            <dd>
              <span className={`quality q-${node.feature.quality.toLowerCase()}`}>{node.feature.quality}</span>
            </dd>
            <dt>Open incidents</dt>
            <dd>
              {node.feature.openIncidents.length === 0
                ? 'none'
                : node.feature.openIncidents.map((i) => `${i.severity}: ${i.description}`).join('; ')}
            </dd>
          </>
        )}
        {node.dataset && (
          <>
            <dt>Rows</dt>
            <dd>{node.dataset.rowCount}</dd>
            <dt>Content hash</dt>
            <dd>
              <code>{node.dataset.contentHash.slice(0, 16)}…</code>
            </dd>
            <dt>Created</dt>
            <dd>
              <Time at={node.dataset.createdAt} />
            </dd>
          </>
        )}
        {node.modelVersion && (
          <>
            <dt>Stage</dt>
            <dd>
              <Stage stage={node.modelVersion.stage} />
            </dd>
            <dt>Aliases</dt>
            <dd>{node.modelVersion.aliases.join(', ') || '–'}</dd>
            <dt>Metrics</dt>
            <dd>
              <Json value={node.modelVersion.metrics} />
            </dd>
            <dt>Created by</dt>
            <dd>{node.modelVersion.createdBy ?? '–'}</dd>
          </>
        )}
        {node.deployment && (
          <>
            <dt>Strategy</dt>
            <dd>{node.deployment.strategy}</dd>
            <dt>Status</dt>
            <dd>{node.deployment.status}</dd>
          </>
        )}
        {node.endpoint && (
          <>
            <dt>Status</dt>
            <dd>{node.endpoint.status}</dd>
          </>
        )}
      </dl>
      <p className="links">
        <Link to={`/lineage?id=${encodeURIComponent(node.id)}`}>Center lineage here</Link>
        {IMPACT_KINDS.includes(node.kind) && (
          <Link to={`/impact?id=${encodeURIComponent(node.id)}`}>Impact analysis</Link>
        )}
        {node.modelVersion && <Link to={`/models?version=${encodeURIComponent(node.id)}`}>Open in Models</Link>}
        {node.feature && (
          <Link to={`/features?view=${encodeURIComponent(node.feature.featureView.name)}`}>Open in Features</Link>
        )}
        {node.featureView && (
          <Link to={`/features?view=${encodeURIComponent(node.featureView.name)}`}>Open in Features</Link>
        )}
        {(node.endpoint || node.deployment) && <Link to="/endpoints">Open in Endpoints</Link>}
      </p>
    </section>
  );
}

export function LineagePage() {
  const [params, setParams] = useSearchParams();
  const id = params.get('id');
  const depth = Number(params.get('depth') ?? 3);
  const direction = (params.get('direction') ?? 'BOTH') as 'UPSTREAM' | 'DOWNSTREAM' | 'BOTH';
  const asOf = params.get('asOf');
  const selected = params.get('node');
  const update = (changes: Record<string, string | null>) => {
    // From the address bar, not this render's `params`: navigations render in a transition, so two
    // quick changes (pick an asset, then a depth) would otherwise build the second on the stale first.
    const next = new URLSearchParams(window.location.search);
    for (const [key, value] of Object.entries(changes))
      value == null || value === '' ? next.delete(key) : next.set(key, value);
    setParams(next);
  };
  const [result] = useQuery({
    query: LineageQueryDoc,
    variables: { id: id ?? '', depth, direction, asOf: asOf ? new Date(asOf).toISOString() : null },
    pause: !id,
  });
  const graph = result.data?.lineage;
  const nodes = useMemo(() => (graph?.nodes ?? []).map(describeNode), [graph]);
  const selectedNode = graph?.nodes.find((n) => n.id === (selected ?? id));
  const { shown, pager } = usePaged(nodes, 15);

  return (
    <>
      <h1>Lineage explorer</h1>
      <AssetSearch onPick={(hit) => update({ id: hit.id, node: null })} />
      {id && (
        <>
          <form className="controls" aria-label="Lineage options" onSubmit={(e) => e.preventDefault()}>
            <label>
              Depth
              <select value={depth} onChange={(e) => update({ depth: e.target.value })}>
                {[1, 2, 3, 4, 5, 6, 8, 10].map((d) => (
                  <option key={d} value={d}>
                    {d}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Direction
              <select value={direction} onChange={(e) => update({ direction: e.target.value })}>
                <option value="BOTH">upstream and downstream</option>
                <option value="UPSTREAM">upstream</option>
                <option value="DOWNSTREAM">downstream</option>
              </select>
            </label>
            <label>
              As of (your local time)
              <input type="datetime-local" value={asOf ?? ''} onChange={(e) => update({ asOf: e.target.value })} />
            </label>
            {asOf && (
              <button type="button" onClick={() => update({ asOf: null })}>
                Now
              </button>
            )}
          </form>
          <ErrorBox error={result.error} />
          {!graph && result.fetching && <Loading what="Walking the lineage" />}
          {graph && (
            <>
              <p className="muted">
                {graph.nodes.length} assets, {graph.edges.length} edges around <code>{graph.root}</code> as of{' '}
                <Time at={graph.asOf} />
                {graph.truncated && <strong> (cut at 500 nodes: nearest first)</strong>}
              </p>
              <Legend />
              <div className="split">
                <LineageGraph
                  label={`Lineage graph of ${graph.root}`}
                  root={graph.root}
                  nodes={nodes}
                  edges={graph.edges}
                  selected={selectedNode?.id}
                  onSelect={(nodeId) => update({ node: nodeId })}
                />
                {selectedNode && <NodeDetails node={selectedNode} />}
              </div>
              <h2>Assets in the graph</h2>
              <div className="table-wrap">
                <table aria-label="Assets in the graph">
                  <thead>
                    <tr>
                      <th>Kind</th>
                      <th>Name</th>
                      <th>Provider</th>
                      <th>Stage</th>
                      <th>Hops</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((node) => (
                      <tr key={node.id} className={node.id === selectedNode?.id ? 'current' : undefined}>
                        <td>
                          <span className={`kind kind-${node.kind}`}>{node.kind}</span>
                        </td>
                        <td>{node.label}</td>
                        <td>{node.provider}</td>
                        <td>{node.stage ? <Stage stage={node.stage} /> : '–'}</td>
                        <td>{node.depth}</td>
                        <td>
                          <button type="button" onClick={() => update({ node: node.id })}>
                            Details
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {pager}
            </>
          )}
        </>
      )}
      {!id && (
        <p className="empty">
          Search for a feature, feature view, dataset, model or endpoint to see where it comes from and what uses it.
        </p>
      )}
    </>
  );
}
