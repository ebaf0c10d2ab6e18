import type { CodegenConfig } from '@graphql-codegen/cli';

// Run from the repository root (npm run codegen). Types for every dashboard operation, generated from the composed supergraph: a schema change
// that breaks a query in web/src fails `npm run build` (codegen validates the documents, tsc the use).
const config: CodegenConfig = {
  schema: 'gateway/supergraph.graphql',
  documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'web/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown' },
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: true,
      },
    },
  },
};

export default config;
