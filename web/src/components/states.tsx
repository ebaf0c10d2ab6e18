import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { CombinedError } from 'urql';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** The GraphQL error codes (extensions.code) and messages, or the network failure. */
export function ErrorBox({ error }: { error: CombinedError | undefined }) {
  if (!error) return null;
  if (error.networkError) {
    return (
      <div className="error" role="alert">
        <strong>NETWORK_ERROR</strong> {error.networkError.message}
      </div>
    );
  }
  return (
    <div className="error" role="alert">
      {error.graphQLErrors.map((e, i) => (
        <div key={i}>
          <strong className="code">{String(e.extensions?.code ?? 'ERROR')}</strong> {e.message}
          {Array.isArray(e.extensions?.problems) && (
            <ul>
              {(e.extensions.problems as { path: string; message: string }[]).map((p, j) => (
                <li key={j}>
                  {p.path}: {p.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      ))}
    </div>
  );
}

/** Standard rendering of a query: loading until the first answer, the error (with code), empty, or the content. */
export function QueryState<T>(props: {
  fetching: boolean;
  error?: CombinedError;
  data?: T;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  const { fetching, error, data } = props;
  if (!data && fetching) return <Loading />;
  if (!data) return <ErrorBox error={error} />;
  return (
    <>
      <ErrorBox error={error} />
      {props.isEmpty?.(data) ? <Empty>{props.empty ?? 'Nothing here yet.'}</Empty> : props.children(data)}
    </>
  );
}

/** Client-side paging of a list answered whole. */
export function usePaged<T>(items: readonly T[], size = 20) {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(items.length / size));
  useEffect(() => {
    if (page >= pages) setPage(pages - 1);
  }, [page, pages]);
  const shown = items.slice(page * size, page * size + size);
  const pager = items.length > size ? <Pager page={page} pages={pages} onPage={setPage} total={items.length} /> : null;
  return { shown, pager };
}

/** Previous / next over pages; `pages` when the total is known, else `hasNext` (a cursor or an extra row said so). */
export function Pager({
  page,
  pages,
  hasNext,
  onPage,
  total,
}: {
  page: number;
  pages?: number;
  hasNext?: boolean;
  onPage: (page: number) => void;
  total?: number;
}) {
  const next = pages != null ? page + 1 < pages : Boolean(hasNext);
  return (
    <div className="pager" role="navigation" aria-label="Pages of the list">
      <button type="button" disabled={page === 0} onClick={() => onPage(page - 1)}>
        ← Previous
      </button>
      <span>
        Page {page + 1}
        {pages != null ? ` of ${pages}` : ''}
        {total != null ? ` (${total})` : ''}
      </span>
      <button type="button" disabled={!next} onClick={() => onPage(page + 1)}>
        Next →
      </button>
    </div>
  );
}

export function Stage({ stage }: { stage: string }) {
  return <span className={`stage stage-${stage.toLowerCase()}`}>{stage}</span>;
}

export function Time({ at }: { at: string | null | undefined }) {
  if (!at) return <span className="muted">–</span>;
  const date = new Date(at);
  return (
    <time dateTime={at} title={at}>
      {date.toISOString().replace('T', ' ').slice(0, 19)} UTC
    </time>
  );
}

export function Json({ value }: { value: unknown }) {
  if (value == null) return <span className="muted">–</span>;
  const entries =
    typeof value === 'object' && !Array.isArray(value) ? Object.entries(value as Record<string, unknown>) : null;
  if (!entries) return <code>{JSON.stringify(value)}</code>;
  if (entries.length === 0) return <span className="muted">–</span>;
  return (
    <span className="kv">
      {entries.map(([k, v]) => (
        <code key={k}>
          {k}={typeof v === 'object' ? JSON.stringify(v) : String(v)}
        </code>
      ))}
    </span>
  );
}

/** A heading that takes the focus (and scrolls into view) when it appears: where "Open" leads, for keyboard and screen-reader users. */
export function FocusHeading({ id, children }: { id: string; children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
    ref.current?.scrollIntoView({ block: 'start' });
  }, [id]);
  return (
    <h2 id={id} ref={ref} tabIndex={-1}>
      {children}
    </h2>
  );
}
