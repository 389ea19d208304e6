//! The closed vocabularies of the domain, stored as lowercase text and exposed as GraphQL enums.
//! (Titles and unit kinds are open-ended data, not vocabularies.)

/// Declares an enum whose variants are stored as the given text, ordered as declared.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$variant_meta:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, async_graphql::Enum)]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)*
        }

        impl $name {
            /// Every value, as stored.
            pub const ALL: &'static [&'static str] = &[$($text),*];

            /// The stored text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }

            /// The value stored as `text`, if it is one.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

vocabulary!(
    /// Levels of the prevention triangle (forebyggelsestrekanten).
    PreventionLevel {
        /// For all: opbyggende / generel / tidlig forebyggelse.
        General = "general",
        /// For some: forebyggende / målrettet forebyggelse.
        Targeted = "targeted",
        /// For the few: kriminalitetsforebyggende / individrettet forebyggelse.
        Individual = "individual",
    }
);

vocabulary!(
    /// The pillars of the "faglig organisering" archetype.
    Pillar {
        Proactive = "proactive",
        Operative = "operative",
        Reactive = "reactive",
    }
);

vocabulary!(
    /// The three organisation archetypes of the Ishøj working note (002, Leverance 1).
    Archetype {
        /// En klar ledelsesstreng.
        ClearLineOfCommand = "clear_line_of_command",
        /// Faglig organisering: proactive, operative and reactive pillars.
        ProfessionalPillars = "professional_pillars",
        /// Integreret organisering: Kredsråd, Lokalråd and SSP tied together.
        Integrated = "integrated",
    }
);

vocabulary!(
    /// How far a forum reaches.
    ForumScope {
        Municipal = "municipal",
        CrossMunicipal = "cross_municipal",
        PoliceDistrict = "police_district",
        National = "national",
    }
);

vocabulary!(
    /// The level a forum works at.
    ForumLevel {
        Strategic = "strategic",
        Coordinating = "coordinating",
        Operational = "operational",
    }
);

vocabulary!(
    /// What a budget line is.
    BudgetCategory {
        /// The total frame; the other categories may be parts of it.
        Frame = "frame",
        Salaries = "salaries",
        Pool = "pool",
        ProjectFunds = "project_funds",
        ExternalFunding = "external_funding",
    }
);

vocabulary!(
    /// Where in the budget process a budget line stands.
    BudgetPhase {
        Proposed = "proposed",
        Adopted = "adopted",
        Adjusted = "adjusted",
        Actual = "actual",
    }
);

vocabulary!(
    /// Who may see a record, from the fewest to the most.
    Visibility {
        /// The owning municipality only.
        Private = "private",
        /// The owner and the municipalities it shares a network with.
        Network = "network",
        /// Anyone.
        Public = "public",
    }
);

vocabulary!(
    /// What a write did to a record, in the audit log and the change feed.
    WriteAction {
        Create = "create",
        /// Changed from a day on.
        Update = "update",
        /// Ended from a day on (its history stays).
        Terminate = "terminate",
        /// Removed with its history.
        Delete = "delete",
        /// Shared more or less widely.
        SetVisibility = "set_visibility",
    }
);

vocabulary!(
    /// A municipality's part in a shared project.
    ProjectRole {
        Lead = "lead",
        Participant = "participant",
    }
);

vocabulary!(
    /// What a key indicator measures (nøgletal).
    Measure {
        /// Anmeldt kriminalitet: reported crime.
        ReportedCrime = "reported_crime",
        /// Udvalgte straffelovsovertrædelser: selected offences against the penal code.
        SelectedPenalCodeOffences = "selected_penal_code_offences",
        /// Sigtede unge: young people charged with an offence.
        ChargedYoungPeople = "charged_young_people",
        /// Hændelser med unge under 18 år fra politiet via § 115-samarbejdet.
        Section115Reports = "section_115_reports",
    }
);

vocabulary!(
    /// What kind of value a key indicator has.
    IndicatorKind {
        /// A number of things.
        Count = "count",
        /// A change over the period, in per cent.
        PercentChange = "percent_change",
        /// At least this value ("mere end 1000").
        LowerBound = "lower_bound",
        /// A finding stated without a number; the text says it.
        Finding = "finding",
    }
);

vocabulary!(
    /// What kind of plan a municipality's crime-prevention plan is.
    PlanKind {
        /// A strategy: the overall frame, its goals and guiding principles ("Ishøj – En Tryg By").
        Strategy = "strategy",
        /// An action plan: how a strategy is carried out in a period (Handleplan 2014).
        ActionPlan = "action_plan",
    }
);

vocabulary!(
    /// What a political body did with a plan.
    PlanDecision {
        /// Adopted it (vedtaget).
        Adopted = "adopted",
        /// Took note of it (taget til efterretning).
        Noted = "noted",
    }
);
