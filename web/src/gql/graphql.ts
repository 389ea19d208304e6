/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** The three organisation archetypes of the Ishøj working note (002, Leverance 1). */
export type Archetype =
  /** En klar ledelsesstreng. */
  | 'CLEAR_LINE_OF_COMMAND'
  /** Integreret organisering: Kredsråd, Lokalråd and SSP tied together. */
  | 'INTEGRATED'
  /** Faglig organisering: proactive, operative and reactive pillars. */
  | 'PROFESSIONAL_PILLARS';

/** What a derived figure is divided by. */
export type FigureDivisor =
  | 'HEADCOUNT'
  | 'POPULATION';

/** The kinds of [`FigureReason`]. */
export type FigureReasonCode =
  /** What the figure is divided by (`divisor`) is unknown. */
  | 'DIVISOR_UNKNOWN'
  /** What the figure is divided by (`divisor`) is zero. */
  | 'DIVISOR_ZERO'
  /** Full-time equivalents from weekly hours: 37 hours a week = 1; rounded to two decimals. */
  | 'FTE_FROM_WEEKLY_HOURS'
  /** The headcount of `roles` is not given, so the figure is unknown. */
  | 'HEADCOUNT_NOT_GIVEN'
  /** `count` budget lines without an amount are not counted. */
  | 'LINES_WITHOUT_AMOUNT'
  /** No budget line of `year` has an amount in this source. */
  | 'NO_AMOUNTS'
  /** No budget line of `year` that is shared with you has an amount in this source. */
  | 'NO_SHARED_AMOUNTS'
  /** The dataset's `note` on the population figure. */
  | 'POPULATION_NOTE'
  /** The population of `municipality` is unknown (`note` says why, when the dataset does). */
  | 'POPULATION_UNKNOWN'
  /** `count` records are not shared with you and are left out. */
  | 'RECORDS_LEFT_OUT'
  /** Rounded to two decimals. */
  | 'ROUNDED'
  /** Unknown, with nothing more to say. */
  | 'UNKNOWN'
  /** The weekly hours of `roles` are not given, so the figure is unknown. */
  | 'WEEKLY_HOURS_NOT_GIVEN';

/** The level a forum works at. */
export type ForumLevel =
  | 'COORDINATING'
  | 'OPERATIONAL'
  | 'STRATEGIC';

/** What kind of value a key indicator has. */
export type IndicatorKind =
  /** A number of things. */
  | 'COUNT'
  /** A finding stated without a number; the text says it. */
  | 'FINDING'
  /** At least this value ("mere end 1000"). */
  | 'LOWER_BOUND'
  /** A change over the period, in per cent. */
  | 'PERCENT_CHANGE';

/** What a political body did with a plan. */
export type PlanDecision =
  /** Adopted it (vedtaget). */
  | 'ADOPTED'
  /** Took note of it (taget til efterretning). */
  | 'NOTED';

/** What kind of plan a municipality's crime-prevention plan is. */
export type PlanKind =
  /** An action plan: how a strategy is carried out in a period (Handleplan 2014). */
  | 'ACTION_PLAN'
  /** A strategy: the overall frame, its goals and guiding principles ("Ishøj – En Tryg By"). */
  | 'STRATEGY';

/** Levels of the prevention triangle (forebyggelsestrekanten). */
export type PreventionLevel =
  /** For all: opbyggende / generel / tidlig forebyggelse. */
  | 'GENERAL'
  /** For the few: kriminalitetsforebyggende / individrettet forebyggelse. */
  | 'INDIVIDUAL'
  /** For some: forebyggende / målrettet forebyggelse. */
  | 'TARGETED';

/** Who may see a record, from the fewest to the most. */
export type Visibility =
  /** The owner and the municipalities it shares a network with. */
  | 'NETWORK'
  /** The owning municipality only. */
  | 'PRIVATE'
  /** Anyone. */
  | 'PUBLIC';

export type SourceFieldsFragment = { key: string, title: string, date: string | null, publisher: string };

export type ProvenanceFieldsFragment = { section: string, validFrom: string | null, validTo: string | null, visibility: Visibility, note: string | null, source: { key: string, title: string, date: string | null, publisher: string } | null };

export type FigureFieldsFragment = { value: string | null, min: string | null, max: string | null, isKnown: boolean, isRange: boolean, hiddenRecords: number, reasons: Array<{ code: FigureReasonCode, roles: Array<string>, year: number | null, count: number | null, divisor: FigureDivisor | null, municipality: string | null, note: string | null }>, sources: Array<{ key: string, title: string, date: string | null, publisher: string }> };

export type CompareQueryVariables = Exact<{
  codes: Array<number> | number;
  asOf: string;
}>;


export type CompareQuery = { compareMunicipalities: Array<{ hiddenPlans: number, municipality: { code: number, name: string, populationYear: number | null, populationProvenance: { section: string, validFrom: string | null, validTo: string | null, visibility: Visibility, note: string | null, source: { key: string, title: string, date: string | null, publisher: string } | null } | null, units: Array<{ id: string, name: string, kind: string, hostsCrimePrevention: boolean, parent: { id: string } | null, provenance: { section: string, validFrom: string | null, validTo: string | null, visibility: Visibility, note: string | null, source: { key: string, title: string, date: string | null, publisher: string } | null } }>, contacts: Array<{ id: string, name: string, roleTitle: string, unit: { name: string } | null, provenance: { section: string, validFrom: string | null, validTo: string | null, visibility: Visibility, note: string | null, source: { key: string, title: string, date: string | null, publisher: string } | null } }> }, population: { value: string | null, min: string | null, max: string | null, isKnown: boolean, isRange: boolean, hiddenRecords: number, reasons: Array<{ code: FigureReasonCode, roles: Array<string>, year: number | null, count: number | null, divisor: FigureDivisor | null, municipality: string | null, note: string | null }>, sources: Array<{ key: string, title: string, date: string | null, publisher: string }> }, placements: Array<{ pathText: string, archetype: Archetype | null, archetypeNote: string | null, unit: { id: string, name: string, provenance: { section: string, validFrom: string | null, validTo: string | null, visibility: Visibility, note: string | null, source: { key: string, title: string, date: string | null, publisher: string } | null } }, committee: { name: string, provenance: { section: string, validFrom: string | null, validTo: string | null, visibility: Visibility, note: string | null, source: { key: string, title: string, date: string | null, publisher: string } | null } } | null }>, staffing: Array<{ source: { key: string, title: string, date: string | null, publisher: string } | null, staffRoles: Array<{ provenance: { section: string } }>, headcount: { value: string | null, min: string | null, max: string | null, isKnown: boolean, isRange: boolean, hiddenRecords: number, reasons: Array<{ code: FigureReasonCode, roles: Array<string>, year: number | null, count: number | null, divisor: FigureDivisor | null, municipality: string | null, note: string | null }>, sources: Array<{ key: string, title: string, date: string | null, publisher: string }> }, fte: { value: string | null, min: string | null, max: string | null, isKnown: boolean, isRange: boolean, hiddenRecords: number, reasons: Array<{ code: FigureReasonCode, roles: Array<string>, year: number | null, count: number | null, divisor: FigureDivisor | null, municipality: string | null, note: string | null }>, sources: Array<{ key: string, title: string, date: string | null, publisher: string }> }, headcountPer10kInhabitants: { value: string | null, min: string | null, max: string | null, isKnown: boolean, isRange: boolean, hiddenRecords: number, reasons: Array<{ code: FigureReasonCode, roles: Array<string>, year: number | null, count: number | null, divisor: FigureDivisor | null, municipality: string | null, note: string | null }>, sources: Array<{ key: string, title: string, date: string | null, publisher: string }> }, ftePer10kInhabitants: { value: string | null, min: string | null, max: string | null, isKnown: boolean, isRange: boolean, hiddenRecords: number, reasons: Array<{ code: FigureReasonCode, roles: Array<string>, year: number | null, count: number | null, divisor: FigureDivisor | null, municipality: string | null, note: string | null }>, sources: Array<{ key: string, title: string, date: string | null, publisher: string }> }, byPreventionLevel: Array<{ level: PreventionLevel | null, headcount: { value: string | null, min: string | null, max: string | null, isKnown: boolean, isRange: boolean, hiddenRecords: number, reasons: Array<{ code: FigureReasonCode, roles: Array<string>, year: number | null, count: number | null, divisor: FigureDivisor | null, municipality: string | null, note: string | null }>, sources: Array<{ key: string, title: string, date: string | null, publisher: string }> }, headcountShare: { value: string | null, min: string | null, max: string | null, isKnown: boolean, isRange: boolean, hiddenRecords: number, reasons: Array<{ code: FigureReasonCode, roles: Array<string>, year: number | null, count: number | null, divisor: FigureDivisor | null, municipality: string | null, note: string | null }>, sources: Array<{ key: string, title: string, date: string | null, publisher: string }> }, fte: { value: string | null, min: string | null, max: string | null, isKnown: boolean, isRange: boolean, hiddenRecords: number, reasons: Array<{ code: FigureReasonCode, roles: Array<string>, year: number | null, count: number | null, divisor: FigureDivisor | null, municipality: string | null, note: string | null }>, sources: Array<{ key: string, title: string, date: string | null, publisher: string }> } }> }>, budgets: Array<{ year: number, source: { key: string, title: string, date: string | null, publisher: string } | null, budgetLines: Array<{ provenance: { section: string } }>, total: { value: string | null, min: string | null, max: string | null, isKnown: boolean, isRange: boolean, hiddenRecords: number, reasons: Array<{ code: FigureReasonCode, roles: Array<string>, year: number | null, count: number | null, divisor: FigureDivisor | null, municipality: string | null, note: string | null }>, sources: Array<{ key: string, title: string, date: string | null, publisher: string }> }, perInhabitant: { value: string | null, min: string | null, max: string | null, isKnown: boolean, isRange: boolean, hiddenRecords: number, reasons: Array<{ code: FigureReasonCode, roles: Array<string>, year: number | null, count: number | null, divisor: FigureDivisor | null, municipality: string | null, note: string | null }>, sources: Array<{ key: string, title: string, date: string | null, publisher: string }> } }>, forumsByLevel: Array<{ level: ForumLevel | null, count: number, hiddenRecords: number, forums: Array<{ name: string, provenance: { section: string, validFrom: string | null, validTo: string | null, visibility: Visibility, note: string | null, source: { key: string, title: string, date: string | null, publisher: string } | null } }> }>, keyIndicators: Array<{ id: string, title: string, periodStart: number | null, periodEnd: number | null, kind: IndicatorKind | null, value: string | null, unit: string | null, finding: string | null, provenance: { section: string, validFrom: string | null, validTo: string | null, visibility: Visibility, note: string | null, source: { key: string, title: string, date: string | null, publisher: string } | null } }>, plans: Array<{ plan: { id: string, kind: PlanKind | null, title: string, firstYear: number | null, lastYear: number | null, decision: PlanDecision | null, decidedBy: string | null, decidedOn: string | null, provenance: { section: string, validFrom: string | null, validTo: string | null, visibility: Visibility, note: string | null, source: { key: string, title: string, date: string | null, publisher: string } | null } }, parts: Array<{ id: string, title: string, firstYear: number | null, lastYear: number | null }>, goals: { value: string | null, min: string | null, max: string | null, isKnown: boolean, isRange: boolean, hiddenRecords: number, reasons: Array<{ code: FigureReasonCode, roles: Array<string>, year: number | null, count: number | null, divisor: FigureDivisor | null, municipality: string | null, note: string | null }>, sources: Array<{ key: string, title: string, date: string | null, publisher: string }> }, interventions: { value: string | null, min: string | null, max: string | null, isKnown: boolean, isRange: boolean, hiddenRecords: number, reasons: Array<{ code: FigureReasonCode, roles: Array<string>, year: number | null, count: number | null, divisor: FigureDivisor | null, municipality: string | null, note: string | null }>, sources: Array<{ key: string, title: string, date: string | null, publisher: string }> } }> }> };

export type ChooserQueryVariables = Exact<{ [key: string]: never; }>;


export type ChooserQuery = { municipalities: { nodes: Array<{ code: number, name: string }> }, networks: { nodes: Array<{ id: string, name: string, members: Array<{ code: number }> }> }, signIn: { issuer: string | null, publicClientId: string | null, developmentTokens: boolean } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const SourceFieldsFragmentDoc = new TypedDocumentString(`
    fragment SourceFields on Source {
  key
  title
  date
  publisher
}
    `, {"fragmentName":"SourceFields"}) as unknown as TypedDocumentString<SourceFieldsFragment, unknown>;
export const ProvenanceFieldsFragmentDoc = new TypedDocumentString(`
    fragment ProvenanceFields on Provenance {
  section
  validFrom
  validTo
  visibility
  note
  source {
    ...SourceFields
  }
}
    fragment SourceFields on Source {
  key
  title
  date
  publisher
}`, {"fragmentName":"ProvenanceFields"}) as unknown as TypedDocumentString<ProvenanceFieldsFragment, unknown>;
export const FigureFieldsFragmentDoc = new TypedDocumentString(`
    fragment FigureFields on Figure {
  value
  min
  max
  isKnown
  isRange
  reasons {
    code
    roles
    year
    count
    divisor
    municipality
    note
  }
  hiddenRecords
  sources {
    ...SourceFields
  }
}
    fragment SourceFields on Source {
  key
  title
  date
  publisher
}`, {"fragmentName":"FigureFields"}) as unknown as TypedDocumentString<FigureFieldsFragment, unknown>;
export const CompareDocument = new TypedDocumentString(`
    query Compare($codes: [Int!]!, $asOf: Date!) {
  compareMunicipalities(codes: $codes, asOf: $asOf) {
    municipality {
      code
      name
      populationYear
      populationProvenance {
        ...ProvenanceFields
      }
      units {
        id
        name
        kind
        hostsCrimePrevention
        parent {
          id
        }
        provenance {
          ...ProvenanceFields
        }
      }
      contacts {
        id
        name
        roleTitle
        unit {
          name
        }
        provenance {
          ...ProvenanceFields
        }
      }
    }
    population {
      ...FigureFields
    }
    placements {
      pathText
      archetype
      archetypeNote
      unit {
        id
        name
        provenance {
          ...ProvenanceFields
        }
      }
      committee {
        name
        provenance {
          ...ProvenanceFields
        }
      }
    }
    staffing {
      source {
        ...SourceFields
      }
      staffRoles {
        provenance {
          section
        }
      }
      headcount {
        ...FigureFields
      }
      fte {
        ...FigureFields
      }
      headcountPer10kInhabitants {
        ...FigureFields
      }
      ftePer10kInhabitants {
        ...FigureFields
      }
      byPreventionLevel {
        level
        headcount {
          ...FigureFields
        }
        headcountShare {
          ...FigureFields
        }
        fte {
          ...FigureFields
        }
      }
    }
    budgets {
      year
      source {
        ...SourceFields
      }
      budgetLines {
        provenance {
          section
        }
      }
      total {
        ...FigureFields
      }
      perInhabitant {
        ...FigureFields
      }
    }
    forumsByLevel {
      level
      count
      hiddenRecords
      forums {
        name
        provenance {
          ...ProvenanceFields
        }
      }
    }
    keyIndicators {
      id
      title
      periodStart
      periodEnd
      kind
      value
      unit
      finding
      provenance {
        ...ProvenanceFields
      }
    }
    plans {
      plan {
        id
        kind
        title
        firstYear
        lastYear
        decision
        decidedBy
        decidedOn
        provenance {
          ...ProvenanceFields
        }
      }
      parts {
        id
        title
        firstYear
        lastYear
      }
      goals {
        ...FigureFields
      }
      interventions {
        ...FigureFields
      }
    }
    hiddenPlans
  }
}
    fragment SourceFields on Source {
  key
  title
  date
  publisher
}
fragment ProvenanceFields on Provenance {
  section
  validFrom
  validTo
  visibility
  note
  source {
    ...SourceFields
  }
}
fragment FigureFields on Figure {
  value
  min
  max
  isKnown
  isRange
  reasons {
    code
    roles
    year
    count
    divisor
    municipality
    note
  }
  hiddenRecords
  sources {
    ...SourceFields
  }
}`, {"hash":"sha256:261675715f0d75ab47e54f831a2cf08193312b93f927230052343faf5fa729a0"}) as unknown as TypedDocumentString<CompareQuery, CompareQueryVariables>;
export const ChooserDocument = new TypedDocumentString(`
    query Chooser {
  municipalities(first: 100) {
    nodes {
      code
      name
    }
  }
  networks(first: 100) {
    nodes {
      id
      name
      members {
        code
      }
    }
  }
  signIn {
    issuer
    publicClientId
    developmentTokens
  }
}
    `, {"hash":"sha256:ead1149f7581a6e3e7357623f4dc87c43ba1cff905cac517a4a8b985f37716e5"}) as unknown as TypedDocumentString<ChooserQuery, ChooserQueryVariables>;