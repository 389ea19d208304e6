//! The one description of a versioned, tenant-owned table.
//!
//! A municipality's records are stable identities ([`identity`](crate::identity)) with versions. A
//! table of such records holds versions: the identity (`id`) and the version number are its key,
//! and every version carries the same columns besides its own attributes: its owner, who may see
//! it, its half-open validity `[valid_from, valid_to)`, the source document and section it comes
//! from, a note, and when and by whom it was recorded. [`versioned!`](crate::versioned) declares
//! such a model from its own attributes; the data-access layer, the dataset loader and the GraphQL
//! provenance read these columns through [`Versioned`], and the migration's `tenant_owned_table`
//! creates them.

/// A table of versions of a municipality's records: the columns every such table has. Every such
/// table is a kind of the registry ([`kinds`](crate::kinds)).
pub trait Versioned: sea_orm::EntityTrait + crate::kinds::OfKind {
    /// The identity the version belongs to.
    fn id() -> Self::Column;
    fn version() -> Self::Column;
    fn latest() -> Self::Column;
    /// The owning municipality's code.
    fn owner() -> Self::Column;
    fn visibility() -> Self::Column;
    fn valid_from() -> Self::Column;
    fn valid_to() -> Self::Column;
    /// The source document, its section, and a note on the version.
    fn source() -> Self::Column;
    fn source_section() -> Self::Column;
    fn note() -> Self::Column;
    fn recorded_at() -> Self::Column;
    fn recorded_by() -> Self::Column;
}

/// Declares the model of a versioned table from its own attributes, adding the columns every such
/// table has (see the module documentation); its [`Versioned`] description; and its read view,
/// [`Version`](crate::unit::Version): the columns reads return, without the bookkeeping columns
/// (`latest`, `recorded_at`, `recorded_by`) that only writes and the audit need. Every read
/// decodes every column it selects, so leaving those three out is what keeps a read of versions as
/// cheap as a read of plain rows.
#[macro_export]
macro_rules! versioned {
    (
        $(#[$meta:meta])*
        pub struct Model {
            $($(#[$field_meta:meta])* pub $field:ident: $ty:ty),* $(,)?
        }
    ) => {
        $crate::versioned! {
            @read_view
            [$(#[$meta])*]
            // The identity this is a version of (`identities.id`), and the version's number among
            // the identity's versions (1, 2, …).
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: i32,
            #[sea_orm(primary_key, auto_increment = false)]
            pub version: i32,
            $($(#[$field_meta])* pub $field: $ty,)*
            pub municipality_code: i32,
            pub visibility: String,
            pub valid_from: Option<Date>,
            pub valid_to: Option<Date>,
            pub source_id: i32,
            pub source_section: String,
            #[sea_orm(column_type = "Text")]
            pub note: Option<String>,
        }
    };
    (
        @read_view
        [$($meta:tt)*]
        $($(#[$field_meta:meta])* pub $field:ident: $ty:ty,)*
    ) => {
        row! {
            #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
            $($meta)*
            pub struct Model {
                $($(#[$field_meta])* pub $field: $ty,)*
                /// Whether no other version of the identity starts later: what a read without a
                /// date shows (one per identity, kept by the writes).
                pub latest: bool,
                /// When this version was written (transaction time).
                pub recorded_at: DateTimeUtc,
                /// Who wrote it: a token's subject, or `dataset` for the seed dataset.
                pub recorded_by: String,
            }
        }

        row! {
            /// A version as reads return it: every column of [`Model`] but `latest`, `recorded_at`
            /// and `recorded_by`.
            #[derive(Clone, Debug, PartialEq, Eq)]
            pub struct Version {
                $(pub $field: $ty,)*
            }
        }

        impl From<Model> for Version {
            fn from(model: Model) -> Self {
                Self {
                    $($field: model.$field,)*
                }
            }
        }

        impl $crate::versioned::Versioned for Entity {
            fn id() -> Column {
                Column::Id
            }
            fn version() -> Column {
                Column::Version
            }
            fn latest() -> Column {
                Column::Latest
            }
            fn owner() -> Column {
                Column::MunicipalityCode
            }
            fn visibility() -> Column {
                Column::Visibility
            }
            fn valid_from() -> Column {
                Column::ValidFrom
            }
            fn valid_to() -> Column {
                Column::ValidTo
            }
            fn source() -> Column {
                Column::SourceId
            }
            fn source_section() -> Column {
                Column::SourceSection
            }
            fn note() -> Column {
                Column::Note
            }
            fn recorded_at() -> Column {
                Column::RecordedAt
            }
            fn recorded_by() -> Column {
                Column::RecordedBy
            }
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}
