// The page's only way to the data: the public GraphQL API on /graphql, like any other client.
import { storedToken } from './auth/token';

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

export async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json;q=0.9',
  };
  const token = storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('Serveren svarer ikke.');
  }
  let body: GraphqlResponse<T>;
  try {
    body = (await response.json()) as GraphqlResponse<T>;
  } catch {
    throw new ApiError(`Serveren svarede ${response.status} uden et GraphQL-svar.`);
  }
  const error = body.errors?.[0];
  if (error) throw new ApiError(error.message, error.extensions?.code);
  if (!body.data) throw new ApiError('Svaret indeholdt ingen data.');
  return body.data;
}

export interface Source {
  key: string;
  title: string;
  date: string | null;
  publisher: string;
}

export interface Provenance {
  section: string;
  validFrom: string | null;
  validTo: string | null;
  visibility: 'PRIVATE' | 'NETWORK' | 'PUBLIC';
  note: string | null;
  source: Source | null;
}

export type FigureReasonCode =
  | 'ROUNDED'
  | 'FTE_FROM_WEEKLY_HOURS'
  | 'HEADCOUNT_NOT_GIVEN'
  | 'WEEKLY_HOURS_NOT_GIVEN'
  | 'NO_AMOUNTS'
  | 'NO_SHARED_AMOUNTS'
  | 'LINES_WITHOUT_AMOUNT'
  | 'POPULATION_UNKNOWN'
  | 'POPULATION_NOTE'
  | 'DIVISOR_UNKNOWN'
  | 'DIVISOR_ZERO'
  | 'RECORDS_LEFT_OUT'
  | 'UNKNOWN';

/** Why a figure is unknown or how it was computed: a code and the parameters it uses. */
export interface FigureReason {
  code: FigureReasonCode;
  roles: string[];
  year: number | null;
  count: number | null;
  divisor: 'POPULATION' | 'HEADCOUNT' | null;
  municipality: string | null;
  /** The dataset's editorial note, as recorded. */
  note: string | null;
}

export interface Figure {
  value: string | null;
  min: string | null;
  max: string | null;
  isKnown: boolean;
  isRange: boolean;
  /** The page words these in Danish (`reasonText`); the API's English `reason` is not read. */
  reasons: FigureReason[];
  hiddenRecords: number;
  sources: Source[];
}

export type PreventionLevel = 'GENERAL' | 'TARGETED' | 'INDIVIDUAL';
export type ForumLevel = 'STRATEGIC' | 'COORDINATING' | 'OPERATIONAL';
export type Archetype = 'CLEAR_LINE_OF_COMMAND' | 'PROFESSIONAL_PILLARS' | 'INTEGRATED';

export interface Unit {
  id: string;
  name: string;
  kind: string;
  hostsCrimePrevention: boolean;
  parent: { id: string } | null;
  provenance: Provenance;
}

export interface Placement {
  pathText: string;
  unit: { id: string; name: string; provenance: Provenance };
  archetype: Archetype | null;
  archetypeNote: string | null;
  committee: { name: string; provenance: Provenance } | null;
}

export interface Staffing {
  source: Source | null;
  staffRoles: { provenance: { section: string } }[];
  headcount: Figure;
  fte: Figure;
  headcountPer10kInhabitants: Figure;
  ftePer10kInhabitants: Figure;
  byPreventionLevel: {
    level: PreventionLevel | null;
    headcount: Figure;
    headcountShare: Figure;
    fte: Figure;
  }[];
}

export interface Budget {
  year: number;
  source: Source | null;
  budgetLines: { provenance: { section: string } }[];
  total: Figure;
  perInhabitant: Figure;
}

export interface KeyIndicator {
  id: string;
  title: string;
  periodStart: number | null;
  periodEnd: number | null;
  kind: 'COUNT' | 'PERCENT_CHANGE' | 'LOWER_BOUND' | 'FINDING' | null;
  value: string | null;
  unit: string | null;
  finding: string | null;
  provenance: Provenance;
}

export interface Contact {
  id: string;
  name: string;
  roleTitle: string;
  unit: { name: string } | null;
  provenance: Provenance;
}

export interface Compared {
  municipality: {
    code: number;
    name: string;
    populationYear: number | null;
    populationProvenance: Provenance | null;
    units: Unit[];
    contacts: Contact[];
  };
  population: Figure;
  placements: Placement[];
  staffing: Staffing[];
  budgets: Budget[];
  forumsByLevel: {
    level: ForumLevel | null;
    count: number;
    hiddenRecords: number;
    forums: { name: string; provenance: Provenance }[];
  }[];
  keyIndicators: KeyIndicator[];
  plans: ComparedPlan[];
  hiddenPlans: number;
}

export type PlanKind = 'STRATEGY' | 'ACTION_PLAN';
export type PlanDecision = 'ADOPTED' | 'NOTED';

export interface ComparedPlan {
  plan: {
    id: string;
    kind: PlanKind | null;
    title: string;
    firstYear: number | null;
    lastYear: number | null;
    decision: PlanDecision | null;
    decidedBy: string | null;
    decidedOn: string | null;
    provenance: Provenance;
  };
  parts: { id: string; title: string; firstYear: number | null; lastYear: number | null }[];
  goals: Figure;
  interventions: Figure;
}

const SOURCE = 'fragment S on Source { key title date publisher }';
const PROVENANCE = 'fragment P on Provenance { section validFrom validTo visibility note source { ...S } }';
const FIGURE =
  'fragment F on Figure { value min max isKnown isRange reasons { code roles year count divisor municipality note } hiddenRecords sources { ...S } }';

export const COMPARE_QUERY = `query Compare($codes: [Int!]!, $asOf: Date!) {
  compareMunicipalities(codes: $codes, asOf: $asOf) {
    municipality {
      code name populationYear
      populationProvenance { ...P }
      units { id name kind hostsCrimePrevention parent { id } provenance { ...P } }
      contacts { id name roleTitle unit { name } provenance { ...P } }
    }
    population { ...F }
    placements {
      pathText archetype archetypeNote
      unit { id name provenance { ...P } }
      committee { name provenance { ...P } }
    }
    staffing {
      source { ...S }
      staffRoles { provenance { section } }
      headcount { ...F } fte { ...F }
      headcountPer10kInhabitants { ...F } ftePer10kInhabitants { ...F }
      byPreventionLevel { level headcount { ...F } headcountShare { ...F } fte { ...F } }
    }
    budgets {
      year source { ...S }
      budgetLines { provenance { section } }
      total { ...F } perInhabitant { ...F }
    }
    forumsByLevel { level count hiddenRecords forums { name provenance { ...P } } }
    keyIndicators { id title periodStart periodEnd kind value unit finding provenance { ...P } }
    plans {
      plan { id kind title firstYear lastYear decision decidedBy decidedOn provenance { ...P } }
      parts { id title firstYear lastYear }
      goals { ...F } interventions { ...F }
    }
    hiddenPlans
  }
}
${FIGURE}
${SOURCE}
${PROVENANCE}`;

export interface Chooser {
  municipalities: { nodes: { code: number; name: string }[] };
  networks: { nodes: { id: string; name: string; members: { code: number }[] }[] };
  signIn: { issuer: string | null; publicClientId: string | null; developmentTokens: boolean };
}

export const CHOOSER_QUERY = `query Chooser {
  municipalities(first: 100) { nodes { code name } }
  networks(first: 100) { nodes { id name members { code } } }
  signIn { issuer publicClientId developmentTokens }
}`;
