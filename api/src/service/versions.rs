//! Writing records as identities with versions: the one place that allocates an identity, numbers
//! its versions and keeps the latest one marked. The dataset loader writes through it (and so do the
//! tests' fixtures); the database refuses versions of one identity that overlap.

use chrono::{DateTime, Utc};
use entities::{
    identity,
    kinds::{Kind, OfKind},
    versioned::Versioned,
};
use sea_orm::{
    sea_query::Expr, ActiveModelBehavior, ActiveModelTrait, ActiveValue, ColumnTrait,
    ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, ModelTrait, QueryFilter, QueryOrder,
    QuerySelect, Value,
};

/// Who writes, and when (transaction time).
#[derive(Debug, Clone)]
pub struct Recorded {
    pub by: String,
    pub at: DateTime<Utc>,
}

impl Recorded {
    pub fn now(by: impl Into<String>) -> Self {
        Self {
            by: by.into(),
            at: Utc::now(),
        }
    }
}

/// A version to write: an active model of a table of versions.
pub trait VersionModel:
    ActiveModelTrait<Entity: Versioned<Model: IntoActiveModel<Self>>> + ActiveModelBehavior + Send
{
}

impl<A> VersionModel for A
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    A::Entity: Versioned,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
}

/// Inserts `version` as the first version of a new record of the municipality it names, with a
/// generated key (`units-42`: the table and the identity).
pub async fn create<C, A>(
    db: &C,
    version: A,
    recorded: &Recorded,
) -> Result<<A::Entity as EntityTrait>::Model, DbErr>
where
    C: ConnectionTrait,
    A: VersionModel,
{
    let owner = match version.get(<A::Entity as Versioned>::owner()) {
        ActiveValue::Set(Value::Int(Some(code)))
        | ActiveValue::Unchanged(Value::Int(Some(code))) => code,
        _ => return Err(DbErr::Custom("a version names its municipality".to_owned())),
    };
    let id = create_identity(db, <A::Entity as OfKind>::KIND, owner, None, recorded).await?;
    insert_version(db, version, id, 1, recorded).await
}

/// Allocates the identity of a new record of `kind` owned by `municipality`, under `key`, or
/// under a generated one (`units-42`: the table of its versions, and the id) when none is given.
pub async fn create_identity<C: ConnectionTrait>(
    db: &C,
    kind: Kind,
    municipality: i32,
    key: Option<&str>,
    recorded: &Recorded,
) -> Result<i32, DbErr> {
    // A generated key names the identity, which the insert allocates: a placeholder first.
    let table = kind.table();
    let placeholder = || format!("{table}-new-{}", uuid::Uuid::new_v4());
    let identity = identity::ActiveModel {
        id: ActiveValue::NotSet,
        kind: ActiveValue::Set(table.to_owned()),
        key: ActiveValue::Set(key.map_or_else(placeholder, str::to_owned)),
        municipality_code: ActiveValue::Set(municipality),
        revision: ActiveValue::Set(1),
        created_at: ActiveValue::Set(recorded.at),
        created_by: ActiveValue::Set(recorded.by.clone()),
    }
    .insert(db)
    .await?;
    if key.is_none() {
        identity::Entity::update_many()
            .col_expr(
                identity::Column::Key,
                Expr::value(format!("{table}-{}", identity.id)),
            )
            .filter(identity::Column::Id.eq(identity.id))
            .exec(db)
            .await?;
    }
    Ok(identity.id)
}

/// Whether `key` has the shape of a generated key (`units-42`: a table of versions, a dash and a
/// number). A document may not give a new record such a key: the identity it names may be
/// allocated later, and its generated key would then be taken.
pub fn is_generated_key(key: &str) -> bool {
    key.rsplit_once('-').is_some_and(|(table, number)| {
        !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
            && super::scoped::tenant_owned_tables()
                .iter()
                .any(|(name, _)| *name == table)
    })
}

/// Inserts `versions` as the versions of the record `id`, numbered from 1 in their order, and
/// marks the latest: for a record whose versions are all new (or were all removed).
pub async fn insert_versions<C, A>(
    db: &C,
    versions: Vec<A>,
    id: i32,
    recorded: &Recorded,
) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    A: VersionModel,
{
    for (number, version) in (1..).zip(versions) {
        insert_version(db, version, id, number, recorded).await?;
    }
    mark_latest_version::<A::Entity, C>(db, id).await
}

/// Inserts `version` as the next version of the record `id` (the caller counts the write in the
/// record's revision; see `service::writes`).
pub async fn add_version<C, A>(
    db: &C,
    version: A,
    id: i32,
    recorded: &Recorded,
) -> Result<<A::Entity as EntityTrait>::Model, DbErr>
where
    C: ConnectionTrait,
    A: VersionModel,
{
    let latest: Option<i32> = A::Entity::find()
        .select_only()
        .column_as(
            Expr::col(<A::Entity as Versioned>::version()).max(),
            "latest",
        )
        .filter(<A::Entity as Versioned>::id().eq(id))
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    let Some(latest) = latest else {
        return Err(DbErr::RecordNotFound(format!("no record {id}")));
    };
    let inserted = insert_version(db, version, id, latest + 1, recorded).await?;
    mark_latest_version::<A::Entity, C>(db, id).await?;
    Ok(inserted)
}

/// Marks the version of `id` that starts last (a version without a start starts first) as its
/// latest, and no other: what a read without a date shows.
pub async fn mark_latest_version<E: Versioned, C: ConnectionTrait>(
    db: &C,
    id: i32,
) -> Result<(), DbErr> {
    let last: Option<i32> = E::find()
        .select_only()
        .column(E::version())
        .filter(E::id().eq(id))
        .order_by_asc(Expr::col(E::valid_from()).is_null())
        .order_by_desc(E::valid_from())
        .into_tuple()
        .one(db)
        .await?;
    E::update_many()
        .col_expr(E::latest(), Expr::value(false))
        .filter(E::id().eq(id))
        .filter(E::latest().eq(true))
        .exec(db)
        .await?;
    if let Some(version) = last {
        E::update_many()
            .col_expr(E::latest(), Expr::value(true))
            .filter(E::id().eq(id))
            .filter(E::version().eq(version))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The identity a version belongs to.
pub fn identity_of<M: ModelTrait>(version: &M) -> Result<i32, DbErr>
where
    M::Entity: Versioned,
{
    match version.get(<M::Entity as Versioned>::id()) {
        Value::Int(Some(id)) => Ok(id),
        _ => Err(DbErr::Custom("a version names its identity".to_owned())),
    }
}

async fn insert_version<C, A>(
    db: &C,
    mut version: A,
    id: i32,
    number: i32,
    recorded: &Recorded,
) -> Result<<A::Entity as EntityTrait>::Model, DbErr>
where
    C: ConnectionTrait,
    A: VersionModel,
{
    version.set(<A::Entity as Versioned>::id(), id.into());
    version.set(<A::Entity as Versioned>::version(), number.into());
    // The first version is the latest; [`add_version`] settles it for the others (the model it
    // returns says `latest` as inserted).
    version.set(<A::Entity as Versioned>::latest(), (number == 1).into());
    version.set(<A::Entity as Versioned>::recorded_at(), recorded.at.into());
    version.set(
        <A::Entity as Versioned>::recorded_by(),
        recorded.by.clone().into(),
    );
    version.insert(db).await
}
