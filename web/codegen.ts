// The page's GraphQL types, generated from the API's contract (`schema.graphql` at the root) and
// the operations the page sends (`src/queries.ts`). `npm run codegen` writes `src/gql/`;
// `npm run codegen:check` (in `.ci/run`, through tests/browser/run.sh) fails when they are stale,
// and an operation that asks for a field the schema lacks fails to generate at all.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['src/queries.ts'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        // Trusted documents: gql/persisted-documents.json (SHA-256 → document), which the server
        // registers when it is built; each operation carries its hash, and the page sends that.
        persistedDocuments: { hashAlgorithm: 'sha256' },
      },
      config: {
        // Sent as text with fetch: no graphql-js parser in the page.
        documentMode: 'string',
        enumsAsTypes: true,
        // Only what the page's operations use, not every type of the schema.
        onlyOperationTypes: true,
        useTypeImports: true,
        scalars: { Date: 'string', DateTime: 'string', Decimal: 'string', ID: 'string' },
        avoidOptionals: true,
        nonOptionalTypename: false,
        skipTypename: true,
      },
    },
  },
};

export default config;
