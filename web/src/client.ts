import { Client, cacheExchange, fetchExchange } from 'urql';

/**
 * One urql client for the dashboard. The document cache answers a page revisited from memory and
 * drops every cached answer that mentions a type a mutation returned, so lists refresh after a change.
 */
export const client = new Client({
  url: '/graphql',
  exchanges: [cacheExchange, fetchExchange],
  requestPolicy: 'cache-and-network',
  // POST with a JSON body: the gateway's CSRF protection refuses GET queries from a browser without a preflight header.
  preferGetMethod: false,
});
