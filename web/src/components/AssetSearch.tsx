import { useId, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../gql/index.ts';
import { ErrorBox, Loading } from './states.tsx';

const SearchAssetsQuery = graphql(`
  query SearchAssets($prefix: String!) {
    featureViews(filter: { namePrefix: $prefix }, limit: 20) {
      totalCount
      items {
        id
        name
        version
        provider {
          name
        }
      }
    }
    allViews: featureViews(limit: 200) {
      items {
        name
        version
        provider {
          name
        }
        features {
          id
          name
        }
      }
    }
    modelVersions(filter: { modelPrefix: $prefix }, first: 20) {
      nodes {
        id
        version
        stage
        model {
          name
          provider {
            name
          }
        }
      }
    }
    datasets(name: $prefix) {
      id
      name
      version
    }
    endpoints {
      nodes {
        id
        name
        provider {
          name
        }
      }
    }
  }
`);

export interface AssetHit {
  id: string;
  kind: string;
  label: string;
  provider: string;
  detail?: string;
}

/**
 * Search by name across providers: feature views and models by name prefix (server side), features
 * and endpoints by any part of their name, datasets by exact name.
 */
export function AssetSearch(props: { kinds?: string[]; onPick: (hit: AssetHit) => void; label?: string }) {
  const inputId = useId();
  const [text, setText] = useState('');
  const [term, setTerm] = useState('');
  const [result] = useQuery({ query: SearchAssetsQuery, variables: { prefix: term }, pause: term === '' });
  const hits = useMemo(() => {
    const data = result.data;
    if (!data || term === '') return [];
    const needle = term.toLowerCase();
    const out: AssetHit[] = [];
    for (const view of data.featureViews.items) {
      out.push({
        id: view.id,
        kind: 'featureView',
        label: `${view.name} v${view.version}`,
        provider: view.provider.name,
      });
    }
    for (const view of data.allViews.items) {
      for (const feature of view.features) {
        if (feature.name.toLowerCase().includes(needle) || view.name.toLowerCase().startsWith(needle)) {
          out.push({
            id: feature.id,
            kind: 'feature',
            label: `${view.name}:${feature.name}`,
            provider: view.provider.name,
            detail: `view v${view.version}`,
          });
        }
      }
    }
    for (const version of data.modelVersions.nodes) {
      out.push({
        id: version.id,
        kind: 'modelVersion',
        label: `${version.model.name} v${version.version}`,
        provider: version.model.provider.name,
        detail: version.stage,
      });
    }
    for (const dataset of data.datasets) {
      out.push({ id: dataset.id, kind: 'dataset', label: `${dataset.name} v${dataset.version}`, provider: 'builtin' });
    }
    for (const endpoint of data.endpoints.nodes) {
      if (endpoint.name.toLowerCase().includes(needle)) {
        out.push({ id: endpoint.id, kind: 'endpoint', label: endpoint.name, provider: endpoint.provider.name });
      }
    }
    const seen = new Set<string>();
    return out.filter(
      (hit) => (!props.kinds || props.kinds.includes(hit.kind)) && !seen.has(hit.id) && seen.add(hit.id),
    );
  }, [result.data, term, props.kinds]);

  return (
    <section className="search" aria-label="Search assets">
      <form
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setTerm(text.trim());
        }}
      >
        <label htmlFor={inputId}>{props.label ?? 'Search assets by name (every provider)'}</label>
        <div className="row">
          <input
            id={inputId}
            type="search"
            value={text}
            placeholder="e.g. driver_stats, eta_predictor"
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit">Search</button>
        </div>
      </form>
      {term !== '' &&
        (result.fetching && !result.data ? <Loading what="Searching" /> : <ErrorBox error={result.error} />)}
      {term !== '' &&
        result.data &&
        (hits.length === 0 ? (
          <p className="empty">No asset named like “{term}”.</p>
        ) : (
          <ul className="hits" aria-label="Search results">
            {hits.slice(0, 50).map((hit) => (
              <li key={hit.id}>
                <button
                  type="button"
                  className="hit"
                  onClick={() => {
                    setTerm('');
                    props.onPick(hit);
                  }}
                  data-id={hit.id}
                >
                  <span className={`kind kind-${hit.kind}`}>{hit.kind}</span> {hit.label}
                  <span className="provider">{hit.provider}</span>
                  {hit.detail && <span className="muted"> {hit.detail}</span>}
                </button>
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
