import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import {
  ErrorBox,
  FocusHeading,
  Json,
  Loading,
  Pager,
  QueryState,
  Stage,
  Time,
  usePaged,
} from '../components/states.tsx';
import { graphql } from '../gql/index.ts';
import type { PromoteMutation, Stage as StageName } from '../gql/graphql.ts';

const VersionsQuery = graphql(`
  query ModelVersionsList($first: Int!, $after: String, $filter: ModelVersionFilter) {
    modelVersions(first: $first, after: $after, filter: $filter) {
      nodes {
        id
        version
        stage
        aliases
        createdAt
        model {
          name
          provider {
            name
          }
        }
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
`);

const ModelDetailQuery = graphql(`
  query ModelDetail($id: ID!) {
    modelVersion(id: $id) {
      id
      version
      stage
      approvals {
        id
        to
        actor
        role
        comment
        createdAt
      }
      model {
        id
        name
        description
        provider {
          name
        }
        versions {
          id
          version
          stage
          aliases
          metrics
          fairnessMetrics
          createdAt
          createdBy
          gitCommit
          promotions {
            id
            from
            to
            status
            actor
            reason
            createdAt
          }
        }
      }
    }
  }
`);

const PoliciesQuery = graphql(`
  query PoliciesInForce {
    policies {
      name
      version
      appliesTo
      severity
      enabled
      message
      expression
      modelPattern
    }
  }
`);

const PromoteMutationDoc = graphql(`
  mutation Promote($input: PromoteModelVersionInput!) {
    promoteModelVersion(input: $input) {
      allowed
      applied
      dryRun
      replayed
      previousHolderId
      promotion {
        id
        status
        from
        to
      }
      violations {
        policy
        message
        severity
      }
      warnings {
        policy
        message
        severity
      }
      evaluations {
        policy
        version
        severity
        outcome
        message
        error
      }
    }
  }
`);

const ApproveMutationDoc = graphql(`
  mutation Approve($input: ApproveModelVersionInput!) {
    approveModelVersion(input: $input) {
      id
      to
      actor
      role
      comment
      createdAt
    }
  }
`);

const SetAliasMutationDoc = graphql(`
  mutation SetAlias($input: SetModelAliasInput!) {
    setModelAlias(input: $input) {
      id
      aliases
      model {
        id
        versions {
          id
          aliases
        }
      }
    }
  }
`);

const STAGES: StageName[] = ['NONE', 'STAGING', 'PRODUCTION', 'ARCHIVED'];
const PAGE = 20;

function VersionList({ onOpen, current }: { onOpen: (id: string) => void; current: string | null }) {
  const [prefix, setPrefix] = useState('');
  const [stage, setStage] = useState('');
  const [provider, setProvider] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const filter = {
    modelPrefix: prefix || undefined,
    stage: (stage || undefined) as StageName | undefined,
    provider: provider || undefined,
  };
  const [result] = useQuery({
    query: VersionsQuery,
    variables: { first: PAGE, after: cursors[cursors.length - 1], filter },
  });
  useEffect(() => setCursors([null]), [prefix, stage, provider]);
  return (
    <section aria-labelledby="versions-h">
      <h2 id="versions-h">Model versions</h2>
      <form className="controls" aria-label="Filter model versions" onSubmit={(e) => e.preventDefault()}>
        <label>
          Model name starts with <input value={prefix} onChange={(e) => setPrefix(e.target.value)} />
        </label>
        <label>
          Stage
          <select value={stage} onChange={(e) => setStage(e.target.value)}>
            <option value="">any</option>
            {STAGES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Provider <input value={provider} onChange={(e) => setProvider(e.target.value)} size={12} />
        </label>
      </form>
      <QueryState {...result} isEmpty={(d) => d.modelVersions.nodes.length === 0} empty="No model version matches.">
        {(data) => (
          <>
            <div className="table-wrap">
              <table aria-label="Model versions">
                <thead>
                  <tr>
                    <th>Model</th>
                    <th>Version</th>
                    <th>Provider</th>
                    <th>Stage</th>
                    <th>Aliases</th>
                    <th>Registered</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {data.modelVersions.nodes.map((v) => (
                    <tr key={v.id} className={v.id === current ? 'current' : undefined}>
                      <td>{v.model.name}</td>
                      <td>v{v.version}</td>
                      <td>{v.model.provider.name}</td>
                      <td>
                        <Stage stage={v.stage} />
                      </td>
                      <td>{v.aliases.join(', ') || '–'}</td>
                      <td>
                        <Time at={v.createdAt} />
                      </td>
                      <td>
                        <button
                          type="button"
                          onClick={() => onOpen(v.id)}
                          aria-label={`Open ${v.model.name} v${v.version}`}
                        >
                          Open
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {(cursors.length > 1 || data.modelVersions.pageInfo.hasNextPage) && (
              <Pager
                page={cursors.length - 1}
                hasNext={data.modelVersions.pageInfo.hasNextPage}
                onPage={(page) =>
                  setCursors(
                    page < cursors.length - 1
                      ? cursors.slice(0, page + 1)
                      : [...cursors, data.modelVersions.pageInfo.endCursor ?? null],
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

type Versions = { id: string; version: number; metrics: unknown; stage: string }[];

function MetricComparison({ versions, chosen }: { versions: Versions; chosen: string[] }) {
  const picked = versions.filter((v) => chosen.includes(v.id)).sort((a, b) => a.version - b.version);
  const names = [...new Set(picked.flatMap((v) => Object.keys((v.metrics ?? {}) as Record<string, unknown>)))].sort();
  if (picked.length < 2) return <p className="muted">Tick two or more versions to compare their metrics.</p>;
  const value = (v: Versions[number], name: string) => (v.metrics as Record<string, unknown>)[name];
  return (
    <div className="table-wrap">
      <table aria-label="Metric comparison">
        <thead>
          <tr>
            <th>Metric</th>
            {picked.map((v) => (
              <th key={v.id}>
                v{v.version} <Stage stage={v.stage} />
              </th>
            ))}
            <th>Change (last vs first)</th>
          </tr>
        </thead>
        <tbody>
          {names.map((name) => {
            const first = value(picked[0]!, name);
            const last = value(picked[picked.length - 1]!, name);
            const delta = typeof first === 'number' && typeof last === 'number' ? last - first : null;
            return (
              <tr key={name}>
                <td>{name}</td>
                {picked.map((v) => (
                  <td key={v.id}>{value(v, name) == null ? '–' : String(value(v, name))}</td>
                ))}
                <td>{delta == null ? '–' : `${delta > 0 ? '+' : ''}${Number(delta.toPrecision(4))}`}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Verdict({ result }: { result: PromoteMutation['promoteModelVersion'] }) {
  const status = result.promotion?.status;
  const headline = result.dryRun
    ? result.allowed
      ? 'Dry run: the policies allow this promotion'
      : 'Dry run: the policies would deny this promotion'
    : result.applied
      ? 'Promoted'
      : status === 'PENDING_APPROVAL'
        ? 'Pending approval'
        : 'Denied';
  return (
    <section className={`verdict ${result.allowed ? 'ok' : 'denied'}`} aria-label="Promotion verdict" role="status">
      <h3>
        {headline}
        {result.replayed ? ' (replayed)' : ''}
      </h3>
      {result.violations.length > 0 && (
        <>
          <h4>Why it is denied</h4>
          <ul className="violations">
            {result.violations.map((v) => (
              <li key={v.policy}>
                <strong>{v.policy}</strong>: {v.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {result.warnings.length > 0 && (
        <ul className="warnings">
          {result.warnings.map((v) => (
            <li key={v.policy}>
              warning <strong>{v.policy}</strong>: {v.message}
            </li>
          ))}
        </ul>
      )}
      {result.evaluations.length === 0 ? (
        <p className="muted">No policy applies to this stage.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Policy evaluations">
            <thead>
              <tr>
                <th>Policy</th>
                <th>Severity</th>
                <th>Outcome</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {result.evaluations.map((e) => (
                <tr key={`${e.policy}/${e.version}`}>
                  <td>
                    {e.policy} v{e.version}
                  </td>
                  <td>{e.severity}</td>
                  <td>
                    <span className={`outcome outcome-${e.outcome.toLowerCase()}`}>{e.outcome}</span>
                  </td>
                  <td>{e.error ?? e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function PromotionPanel({ versionId, stage }: { versionId: string; stage: string }) {
  const [to, setTo] = useState<StageName>(stage === 'STAGING' ? 'PRODUCTION' : 'STAGING');
  const [reason, setReason] = useState('');
  const [comment, setComment] = useState('');
  const [promotion, promote] = useMutation(PromoteMutationDoc);
  const [approval, approve] = useMutation(ApproveMutationDoc);
  const run = (dryRun: boolean) =>
    promote({ input: { modelVersionId: versionId, to, dryRun, reason: reason || undefined } });
  return (
    <section className="card" aria-labelledby="promote-h">
      <h2 id="promote-h">Promote</h2>
      <form
        className="controls"
        aria-label="Promotion"
        onSubmit={(e) => {
          e.preventDefault();
          void run(true);
        }}
      >
        <label>
          To stage
          <select value={to} onChange={(e) => setTo(e.target.value as StageName)}>
            {STAGES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Reason <input value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <button type="submit" disabled={promotion.fetching}>
          Preview policies (dry run)
        </button>
        <button type="button" className="primary" disabled={promotion.fetching} onClick={() => void run(false)}>
          Promote
        </button>
      </form>
      <ErrorBox error={promotion.error} />
      {promotion.data && <Verdict result={promotion.data.promoteModelVersion} />}
      <form
        className="controls"
        aria-label="Approval"
        onSubmit={(e) => {
          e.preventDefault();
          void approve({ input: { modelVersionId: versionId, to, comment: comment || undefined } });
        }}
      >
        <label>
          Approval comment <input value={comment} onChange={(e) => setComment(e.target.value)} />
        </label>
        <button type="submit" disabled={approval.fetching}>
          Approve for {to}
        </button>
      </form>
      <ErrorBox error={approval.error} />
      {approval.data && (
        <p role="status">
          Approved for {approval.data.approveModelVersion.to} by {approval.data.approveModelVersion.actor}.
        </p>
      )}
    </section>
  );
}

function AliasForm({ versionId, version }: { versionId: string; version: number }) {
  const [alias, setAlias] = useState('');
  const [result, setModelAlias] = useMutation(SetAliasMutationDoc);
  return (
    <>
      <form
        className="controls"
        aria-label="Alias"
        onSubmit={(e) => {
          e.preventDefault();
          void setModelAlias({ input: { modelVersionId: versionId, alias } }).then((r) => {
            if (!r.error) setAlias('');
          });
        }}
      >
        <label>
          Alias (champion, challenger, …) <input value={alias} onChange={(e) => setAlias(e.target.value)} />
        </label>
        <button type="submit" disabled={result.fetching || alias.trim() === ''}>
          Give it to v{version}
        </button>
      </form>
      <ErrorBox error={result.error} />
    </>
  );
}

function Policies() {
  const [result] = useQuery({ query: PoliciesQuery });
  return (
    <section className="card" aria-labelledby="policies-h">
      <h2 id="policies-h">Policies in force</h2>
      <QueryState
        {...result}
        isEmpty={(d) => d.policies.length === 0}
        empty="No promotion policy: every promotion is allowed."
      >
        {(data) => (
          <div className="table-wrap">
            <table aria-label="Policies">
              <thead>
                <tr>
                  <th>Policy</th>
                  <th>Stage</th>
                  <th>Severity</th>
                  <th>Models</th>
                  <th>Rule</th>
                  <th>Message</th>
                </tr>
              </thead>
              <tbody>
                {data.policies.map((p) => (
                  <tr key={p.name} className={p.enabled ? undefined : 'muted'}>
                    <td>
                      {p.name} v{p.version}
                      {p.enabled ? '' : ' (off)'}
                    </td>
                    <td>{p.appliesTo}</td>
                    <td>{p.severity}</td>
                    <td>{p.modelPattern ?? 'all'}</td>
                    <td>
                      <code>{p.expression}</code>
                    </td>
                    <td>{p.message}</td>
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

function ModelDetail({ id }: { id: string }) {
  const [result] = useQuery({ query: ModelDetailQuery, variables: { id } });
  const version = result.data?.modelVersion;
  const [chosen, setChosen] = useState<string[]>([]);
  useEffect(() => {
    const versions = result.data?.modelVersion?.model.versions ?? [];
    const production = versions.find((v) => v.stage === 'PRODUCTION' && v.id !== id);
    setChosen(production ? [id, production.id] : versions.slice(0, 2).map((v) => v.id));
  }, [id, result.data]);
  const history = useMemo(
    () =>
      (version?.model.versions ?? [])
        .flatMap((v) => v.promotions.map((p) => ({ ...p, version: v.version })))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    [version],
  );
  const paged = usePaged(history, 10);
  if (!result.data && result.fetching) return <Loading />;
  if (!version)
    return result.error ? (
      <ErrorBox error={result.error} />
    ) : (
      <p className="empty">
        No model version <code>{id}</code>.
      </p>
    );
  const model = version.model;
  return (
    <section className="detail" aria-labelledby="model-h">
      <FocusHeading id="model-h">
        {model.name} <span className="provider">{model.provider.name}</span> — v{version.version}{' '}
        <Stage stage={version.stage} />
      </FocusHeading>
      {model.description && <p>{model.description}</p>}
      <div className="table-wrap">
        <table aria-label="Versions of the model">
          <thead>
            <tr>
              <th>Compare</th>
              <th>Version</th>
              <th>Stage</th>
              <th>Aliases</th>
              <th>Metrics</th>
              <th>Commit</th>
              <th>Registered</th>
            </tr>
          </thead>
          <tbody>
            {model.versions.map((v) => (
              <tr key={v.id} className={v.id === id ? 'current' : undefined}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Compare v${v.version}`}
                    checked={chosen.includes(v.id)}
                    onChange={(e) => setChosen(e.target.checked ? [...chosen, v.id] : chosen.filter((c) => c !== v.id))}
                  />
                </td>
                <td>v{v.version}</td>
                <td>
                  <Stage stage={v.stage} />
                </td>
                <td>{v.aliases.join(', ') || '–'}</td>
                <td>
                  <Json value={v.metrics} />
                </td>
                <td>{v.gitCommit ? <code>{v.gitCommit.slice(0, 10)}</code> : '–'}</td>
                <td>
                  <Time at={v.createdAt} /> {v.createdBy ? `by ${v.createdBy}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <AliasForm key={`alias:${id}`} versionId={id} version={version.version} />
      <h3>Metric comparison</h3>
      <MetricComparison versions={model.versions} chosen={chosen} />
      <PromotionPanel key={`promote:${id}`} versionId={id} stage={version.stage} />
      <h3>Approvals of v{version.version}</h3>
      {version.approvals.length === 0 ? (
        <p className="empty">No approval yet.</p>
      ) : (
        <ul>
          {version.approvals.map((a) => (
            <li key={a.id}>
              {a.to}: {a.actor}
              {a.role ? ` (${a.role})` : ''}
              {a.comment ? ` — ${a.comment}` : ''} <Time at={a.createdAt} />
            </li>
          ))}
        </ul>
      )}
      <h3>Promotion history</h3>
      {history.length === 0 ? (
        <p className="empty">No promotion of this model yet.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Promotion history">
            <thead>
              <tr>
                <th>When</th>
                <th>Version</th>
                <th>Move</th>
                <th>Outcome</th>
                <th>By</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {paged.shown.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Time at={p.createdAt} />
                  </td>
                  <td>v{p.version}</td>
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
      )}
      {paged.pager}
    </section>
  );
}

export function ModelsPage() {
  const [params, setParams] = useSearchParams();
  const current = params.get('version');
  return (
    <>
      <h1>Models</h1>
      <VersionList current={current} onOpen={(id) => setParams({ version: id })} />
      {current ? (
        <ModelDetail key={current} id={current} />
      ) : (
        <p className="empty">Open a version to see the model's versions, compare metrics and promote.</p>
      )}
      <Policies />
    </>
  );
}
