// The page's only way to the data: the public GraphQL API on /graphql, like any other client.
import { storedToken } from './auth/token';
import type {
  ChooserQuery,
  CompareQuery,
  FigureFieldsFragment,
  ProvenanceFieldsFragment,
  SourceFieldsFragment,
  TypedDocumentString,
} from './gql/graphql';

export { CHOOSER_QUERY, COMPARE_QUERY } from './queries';
export type { Archetype, FigureReasonCode, ForumLevel, PlanDecision, PlanKind, PreventionLevel } from './gql/graphql';

/** An error the API answered with, its `extensions.code` kept (UNAUTHENTICATED …). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

interface GraphqlResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * The URL that asks for one of the page's operations by GET: by its id as a trusted document
 * (`npm run codegen` registers it; the server knows it when it is built), so that the answer
 * carries an ETag and the browser's cache revalidates it instead of fetching it again.
 */
export function operationUrl(operation: { toString(): string; __meta__?: Record<string, unknown> }, variables?: object): string {
  const params = new URLSearchParams();
  const id = operation.__meta__?.hash;
  if (typeof id === 'string') params.set('documentId', id);
  else params.set('query', operation.toString());
  if (variables && Object.keys(variables).length > 0) params.set('variables', JSON.stringify(variables));
  return `/graphql?${params.toString()}`;
}

/** Sends one of the page's operations (`queries.ts`); its result is typed by the schema. */
export async function fetchGraphql<TResult, TVariables>(
  operation: TypedDocumentString<TResult, TVariables>,
  ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
): Promise<TResult> {
  const headers: Record<string, string> = {
    accept: 'application/graphql-response+json, application/json;q=0.9',
  };
  const token = storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(operationUrl(operation, variables as object | undefined), { headers });
  } catch {
    throw new ApiError('Serveren svarer ikke.');
  }
  let body: GraphqlResponse<TResult>;
  try {
    body = (await response.json()) as GraphqlResponse<TResult>;
  } catch {
    throw new ApiError(`Serveren svarede ${response.status} uden et GraphQL-svar.`);
  }
  const error = body.errors?.[0];
  if (error) throw new ApiError(error.message, error.extensions?.code);
  if (!body.data) throw new ApiError('Svaret indeholdt ingen data.');
  return body.data;
}

// The parts of the answers the components take, named; every one is generated from the schema.
export type Source = SourceFieldsFragment;
export type Provenance = ProvenanceFieldsFragment;
/** The page words a figure's `reasons` in Danish (`reasonText`); the API's English `reason` is not read. */
export type Figure = FigureFieldsFragment;
/** Why a figure is unknown or how it was computed: a code and the parameters it uses. */
export type FigureReason = Figure['reasons'][number];
export type Compared = CompareQuery['compareMunicipalities'][number];
export type Unit = Compared['municipality']['units'][number];
export type Contact = Compared['municipality']['contacts'][number];
export type Placement = Compared['placements'][number];
export type Staffing = Compared['staffing'][number];
export type Budget = Compared['budgets'][number];
export type KeyIndicator = Compared['keyIndicators'][number];
export type ComparedPlan = Compared['plans'][number];
export type Chooser = ChooserQuery;
