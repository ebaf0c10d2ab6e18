import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { useEffect, useState, type ComponentProps } from 'react';
import { Loading } from '../components/states.tsx';

type Fetcher = ComponentProps<typeof GraphiQL>['fetcher'];
type Answer = { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };

/**
 * Posts to /graphql as the rest of the dashboard does (urql in client.ts): same origin, a JSON body
 * (the gateway's CSRF protection refuses simple requests), the identity the proxy adds. The headers
 * typed in GraphiQL's Headers tab go along; the content type stays JSON.
 */
async function post(body: unknown, extraHeaders: Record<string, unknown> = {}): Promise<Answer> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, String(value));
  headers.set('content-type', 'application/json');
  headers.set('accept', 'application/graphql-response+json, application/json');
  const response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify(body) });
  // GraphQL answers are JSON whatever their status (400 for an invalid query); anything else is a failure on the way.
  if (/json/.test(response.headers.get('content-type') ?? '')) return (await response.json()) as Answer;
  throw new Error(`${response.status} ${response.statusText}: ${(await response.text()).slice(0, 300)}`);
}

const fetcher: Fetcher = (params, options) => post(params, options?.headers) as ReturnType<Fetcher>;

const DEFAULT_QUERY = `# Cairn's federated graph. Ctrl-Enter runs the query; Docs (the book, top left) describes every type.
{
  providers {
    name
    kind
    status
  }
}
`;

type Introspection = { state: 'checking' } | { state: 'on' } | { state: 'off' } | { state: 'failed'; message: string };

/** Whether this Cairn answers introspection (CAIRN_INTROSPECTION): GraphiQL needs the schema it describes. */
async function checkIntrospection(): Promise<Introspection> {
  try {
    const answer = await post({ query: '{ __schema { queryType { name } } }' });
    if (answer.data) return { state: 'on' };
    if (answer.errors?.some((e) => /introspection/i.test(e.message))) return { state: 'off' };
    return { state: 'failed', message: answer.errors?.map((e) => e.message).join('; ') ?? 'no answer' };
  } catch (error) {
    return { state: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}

export function ExplorerPage() {
  const [introspection, setIntrospection] = useState<Introspection>({ state: 'checking' });
  useEffect(() => {
    let current = true;
    void checkIntrospection().then((result) => current && setIntrospection(result));
    return () => {
      current = false;
    };
  }, []);

  return (
    <>
      <h1>GraphQL explorer</h1>
      {introspection.state === 'checking' && <Loading what="Asking the graph for its schema" />}
      {introspection.state === 'off' && (
        <div className="notice" role="status">
          <p>
            <strong>The explorer is off on this Cairn:</strong> it does not answer schema introspection, which the
            explorer needs to describe the graph and check queries.
          </p>
          <p>
            To turn it on, start Cairn with <code>CAIRN_INTROSPECTION=on</code> (introspection is on by default, and off
            when <code>NODE_ENV=production</code> unless set). Queries still work without it, from any GraphQL client
            posting to <code>/graphql</code>.
          </p>
        </div>
      )}
      {introspection.state === 'failed' && (
        <div className="error" role="alert">
          <strong className="code">EXPLORER</strong> The graph did not answer: {introspection.message}
        </div>
      )}
      {introspection.state === 'on' && (
        <section className="explorer" aria-label="GraphiQL">
          <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} forcedTheme="light" />
        </section>
      )}
    </>
  );
}
