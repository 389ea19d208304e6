// The operations the page sends. Their result types are generated from `schema.graphql`
// (`codegen.ts`, into `src/gql/`), so a field the API renames or drops fails the build.
import { graphql } from './gql';

graphql(`
  fragment SourceFields on Source {
    key
    title
    date
    publisher
  }
`);

graphql(`
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
`);

graphql(`
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
`);

export const COMPARE_QUERY = graphql(`
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
`);

export const CHOOSER_QUERY = graphql(`
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
`);
