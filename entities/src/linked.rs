//! Tables of rows that belong to a record rather than to one of its versions (a forum's legal
//! bases, an intervention's partners, a shared project's participants): they hold on every day of
//! the record. The registry ([`kinds!`](crate::kinds)) names each beside its record's kind.

/// A table of rows linked to the records of a kind.
pub trait Linked: sea_orm::EntityTrait {
    /// The name the rows go by beside a record's versions (the audit log shows them under it).
    const NAME: &'static str;

    /// The column that holds the identity of the record a row belongs to.
    fn record() -> Self::Column;
}
