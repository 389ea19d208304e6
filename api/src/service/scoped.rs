//! Which columns carry tenancy and validity, for each table.

use entities::{by_index::FromRow, versioned::Versioned, *};
use sea_orm::EntityTrait;

use super::Resource;

/// The owner and visibility columns of a tenant-owned table, and what kind of record it holds.
pub struct Tenancy<C> {
    pub owner: C,
    pub visibility: C,
    pub resource: Resource,
}

/// A table the [`Store`](super::Store) can read: how to find its id, its tenancy and its validity.
pub trait Scoped: EntityTrait<Model: FromRow> {
    /// What a read returns of a row: the model, or of a table of versions its read view (the
    /// model without the columns only writes need).
    type Row: FromRow + From<Self::Model> + Send + Sync + 'static;
    fn id_column() -> Self::Column;
    /// `None` for reference data that everybody may read, and for link rows that are only reached
    /// through a parent the caller was allowed to see.
    fn tenancy() -> Option<Tenancy<Self::Column>>;
    /// `(valid_from, valid_to)`, half-open, of tables of versions (whose `id_column` names the
    /// identity); `None` for tables whose rows are records without versions.
    fn validity() -> Option<(Self::Column, Self::Column)>;
    /// Of tables of versions: whether a row is its identity's latest version.
    fn latest() -> Option<Self::Column>;
}

/// Reference data and link rows: no owner, no validity.
macro_rules! unscoped {
    ($($module:ident => $id:ident),* $(,)?) => {$(
        impl Scoped for $module::Entity {
            type Row = $module::Model;
            fn id_column() -> Self::Column {
                $module::Column::$id
            }
            fn tenancy() -> Option<Tenancy<Self::Column>> {
                None
            }
            fn validity() -> Option<(Self::Column, Self::Column)> {
                None
            }
            fn latest() -> Option<Self::Column> {
                None
            }
        }
    )*};
}

/// Tenant-owned tables, every model kind of the registry ([`entities::kinds!`]): versions of
/// records, described by [`Versioned`]; and the list of them.
macro_rules! tenant_owned {
    (
        []
        platform { $($platform:ident $platform_module:ident,)* }
        model { $($kind:ident $module:ident $resource:ident $section:literal [$($link:ident)?],)* }
    ) => {
        /// Every tenant-owned table, by name, with the kind of record a rule sees it as.
        pub fn tenant_owned_tables() -> Vec<(&'static str, Resource)> {
            use sea_orm::EntityName;
            vec![$(($module::Entity.table_name(), Resource::$resource)),*]
        }
    $(
        impl Scoped for $module::Entity {
            type Row = $module::Version;
            fn id_column() -> Self::Column {
                <Self as Versioned>::id()
            }
            fn tenancy() -> Option<Tenancy<Self::Column>> {
                Some(Tenancy {
                    owner: <Self as Versioned>::owner(),
                    visibility: <Self as Versioned>::visibility(),
                    resource: Resource::$resource,
                })
            }
            fn validity() -> Option<(Self::Column, Self::Column)> {
                Some((<Self as Versioned>::valid_from(), <Self as Versioned>::valid_to()))
            }
            fn latest() -> Option<Self::Column> {
                Some(<Self as Versioned>::latest())
            }
        }
    )*};
}

unscoped!(
    source => Id,
    identity => Id,
    municipality => Code,
    network => Id,
    network_membership => Id,
    partner_organisation => Id,
    legal_basis => Id,
    forum_legal_basis => Id,
    intervention_partner => Id,
    project_participant => Id,
);

entities::kinds!(tenant_owned);
