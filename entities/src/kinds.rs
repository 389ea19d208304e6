//! The registry of kinds of record: every kind is declared here, once, and every place that lists
//! kinds derives its list from [`kinds!`](crate::kinds).
//!
//! A kind is either a record of a municipality's model (a table of versions, see
//! [`versioned`](crate::versioned)) or a record of the platform (reference data and tenants). Its
//! name is its GraphQL type name and the prefix of its global IDs; its module is its entity; a
//! model kind also names the access rule that decides who reads it (a variant of the API's
//! `service::Resource`), the section of the model document that holds its records, and the table
//! of rows linked to its records, if they have one ([`Linked`](crate::linked::Linked)).
//!
//! To add a kind: its entity module (with `versioned!`), its migration, a line below, then follow
//! the compiler: every exhaustive `match` on [`Kind`] and every list generated from `kinds!` (node
//! lookup and IDs, the record dispatch of the writes every record has, the scoped tables, the
//! model's rows in the export and import, the link rows of a record) names it or fails to build;
//! the API's `Texts` (its free-text columns) must be declared for its entity, and the model
//! document must have its section.

/// Calls `$callback! { [$args] platform { Kind module, … } model { Kind module access "section"
/// [link], … } }` with every kind of record, in the order the export lists a model's records (a record's
/// references come before it) and node lookup tries them.
#[macro_export]
macro_rules! kinds {
    ($callback:ident $(, $($args:tt)*)?) => {
        $callback! {
            [$($($args)*)?]
            platform {
                Municipality municipality,
                Network network,
                Source source,
                PartnerOrganisation partner_organisation,
                LegalBasis legal_basis,
            }
            model {
                PoliticalCommittee political_committee Other "committee" [],
                Plan plan Other "plan" [],
                Unit unit Other "unit" [],
                StaffRole staff_role Other "staff_role" [],
                BudgetLine budget_line BudgetLines "budget_line" [],
                Forum forum Other "forum" [forum_legal_basis],
                ForumMember forum_member Other "forum.member" [],
                Goal goal Other "goal" [],
                Intervention intervention Other "intervention" [intervention_partner],
                SharedProject shared_project Other "shared_project" [project_participant],
                Contact contact Other "contact" [],
                KeyIndicator key_indicator Other "key_indicator" [],
            }
        }
    };
}

/// The table of a kind's rows: its entity knows its kind.
pub trait OfKind {
    const KIND: Kind;
}

/// Declares [`Kind`] from the registry, and [`OfKind`] of each kind's entity.
macro_rules! declare_kind {
    (
        []
        platform { $($platform:ident $platform_module:ident,)* }
        model {
            $($model:ident $model_module:ident $access:ident $section:literal [$($link:ident)?],)*
        }
    ) => {
        /// A kind of record (see the [module documentation](self)).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Kind {
            $($platform,)*
            $($model,)*
        }

        impl Kind {
            /// Every kind, platform kinds first.
            pub const ALL: &'static [Kind] = &[$(Kind::$platform,)* $(Kind::$model,)*];

            /// The kinds of record of a municipality's model (tables of versions).
            pub const MODEL: &'static [Kind] = &[$(Kind::$model,)*];

            /// The GraphQL type name, which is also the prefix inside a global ID.
            pub fn type_name(self) -> &'static str {
                match self {
                    $(Kind::$platform => stringify!($platform),)*
                    $(Kind::$model => stringify!($model),)*
                }
            }

            /// The table of the kind's rows (of a model kind: of its versions). The audit log
            /// and the change feed store a kind as its table's name.
            pub fn table(self) -> &'static str {
                use sea_orm::EntityName;
                match self {
                    $(Kind::$platform => crate::$platform_module::Entity.table_name(),)*
                    $(Kind::$model => crate::$model_module::Entity.table_name(),)*
                }
            }

            /// The kind whose rows are in `table`.
            pub fn of_table(table: &str) -> Option<Kind> {
                Self::ALL.iter().copied().find(|kind| kind.table() == table)
            }

            /// The kind a GraphQL type name (an ID's prefix) names.
            pub fn of_type_name(name: &str) -> Option<Kind> {
                Self::ALL.iter().copied().find(|kind| kind.type_name() == name)
            }

            /// Where a municipality's model document (`GET`/`PUT /models/{code}`) holds the
            /// records of a model kind: its section (`forum.member`: inside each forum).
            pub const fn section(self) -> Option<&'static str> {
                match self {
                    $(Kind::$platform => None,)*
                    $(Kind::$model => Some($section),)*
                }
            }

            /// Whether records of this kind belong to a municipality's model (versions, owner,
            /// visibility), rather than to the platform.
            pub fn is_model_record(self) -> bool {
                Self::MODEL.contains(&self)
            }
        }

        $(impl OfKind for crate::$platform_module::Entity {
            const KIND: Kind = Kind::$platform;
        })*
        // A kind's link table is a table of rows linked to records.
        $($(const _: fn() = || {
            fn linked<L: crate::linked::Linked>() {}
            linked::<crate::$link::Entity>();
        };)?)*

        $(impl OfKind for crate::$model_module::Entity {
            const KIND: Kind = Kind::$model;
        })*
    };
}

kinds!(declare_kind);

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn names_and_tables_are_unique_and_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(Kind::of_table(kind.table()), Some(*kind));
            assert_eq!(Kind::of_type_name(kind.type_name()), Some(*kind));
        }
        assert_eq!(Kind::Unit.table(), "units");
        assert_eq!(Kind::of_table("nope"), None);
        assert!(Kind::BudgetLine.is_model_record());
        assert!(!Kind::Network.is_model_record());
        assert_eq!(Kind::ForumMember.section(), Some("forum.member"));
        assert_eq!(Kind::Source.section(), None);
    }
}
