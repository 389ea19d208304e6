// GraphiQL, bundled: React, GraphiQL, Monaco and its workers all come from this server, so the
// editor and its docs pane work with no internet access. A token the comparison page signed in
// with (this tab's sessionStorage) is put into the headers editor; any other token can be typed
// there as `{"Authorization": "Bearer …"}`.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './graphiql.css';

import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { storedToken } from './auth/token';

const token = storedToken();
const authorization = token ? { Authorization: `Bearer ${token}` } : undefined;
// The schema's introspection carries the token too (GraphiQL sends the editor's headers only with
// the queries it runs): a server that runs only registered documents for anonymous callers still
// shows a signed-in user its docs.
const fetcher = createGraphiQLFetcher({ url: '/graphql', headers: authorization });
const headers = authorization ? JSON.stringify(authorization, null, 2) : undefined;

const defaultQuery = `# Albertslund, Viborg og Høje-Taastrup side om side (som arbejdsnotatet 002)
{
  compareMunicipalities(codes: [165, 791, 169], asOf: "2023-07-01") {
    municipality { name population }
    placements { pathText archetype committee { name } }
    staffing {
      source { key title date }
      headcount { value }
      headcountPer10kInhabitants { value }
    }
    budgets { year perInhabitant { value reason } }
  }
}
`;

const container = document.getElementById('graphiql');
if (container) {
  createRoot(container).render(
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={defaultQuery}
      initialHeaders={headers}
      defaultEditorToolsVisibility={headers ? 'headers' : undefined}
      isHeadersEditorEnabled
    />,
  );
}
