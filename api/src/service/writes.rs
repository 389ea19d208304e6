//! Writes to a municipality's model: the one place that decides who may change what.
//!
//! A request's mutations run in one transaction ([`Store::begin`], committed by the API only when
//! every mutation succeeded). Each write here, on any versioned table:
//! 1. finds the record's identity and checks the principal: an `editor` or `admin` of the owning
//!    municipality (a record the caller cannot see is `NOT_FOUND`, one it sees but may not change
//!    `FORBIDDEN`);
//! 2. moves the record's revision on only if it is still the revision the client read
//!    (compare-and-set in SQL: of two concurrent writers one gets `CONFLICT` with the current
//!    revision, and no update is lost);
//! 3. changes the versions (see [`versions`](super::versions)): `create` a record, `update` it from
//!    a day (the version holding that day is split there; the old state stays readable the day
//!    before), `terminate` it from a day (history stays), or `delete` it (for mistakes);
//! 4. writes the audit entry (who, when, which record, its versions before and after) and the
//!    change feed's entry (see [`changes`](super::changes)) in the same transaction.

use chrono::NaiveDate;
use entities::{audit_entry, identity, outbox, versioned::Versioned, Kind, OfKind};
use sea_orm::{
    sea_query::{Alias, Expr, Query},
    ActiveModelBehavior, ActiveModelTrait, ActiveValue, ColumnTrait, Condition, ConnectionTrait,
    EntityTrait, IntoActiveModel, Iterable, ModelTrait, QueryFilter, QueryOrder, QuerySelect,
    Value,
};
use serde_json::Value as Json;

use super::{
    checks::{answer_first, checked_texts, Change, NewRecord, Sourced, Texts},
    connection::Writers,
    links::{delete_linked, linked_rows, Links},
    versions::{self, Recorded},
    Principal, Role, Scoped, Store,
};
use crate::{
    error::{ApiError, ApiResult},
    vocabulary::{Visibility, WriteAction as Action},
};

/// The references to records of `kind` that no foreign key guards, as (kind, column): columns
/// added to existing tables, which SQLite cannot give a foreign key that a later migration could
/// still drop.
fn unguarded_references(kind: Kind) -> &'static [(Kind, &'static str)] {
    match kind {
        Kind::Plan => &[(Kind::Goal, "plan_id"), (Kind::Intervention, "plan_id")],
        _ => &[],
    }
}

/// A versioned, tenant-owned table that writes can change.
pub trait Writable:
    Scoped
    + Versioned
    + OfKind
    + Texts
    + EntityTrait<
        Model: IntoActiveModel<Self::ActiveModel> + Sync,
        ActiveModel: ActiveModelBehavior + Send,
    >
{
}

impl<E> Writable for E
where
    E: Scoped + Versioned + OfKind + Texts,
    E::Model: IntoActiveModel<E::ActiveModel> + Sync,
    E::ActiveModel: ActiveModelBehavior + Send,
{
}

/// The references of a write of a kind that refers to no record.
pub(super) async fn no_references() -> ApiResult<()> {
    Ok(())
}

/// A record of `E` as a write found it: its identity (with the revision now current), and the
/// versions and link rows (see [`links`](super::links)) before the write.
pub(super) struct Found<E: EntityTrait> {
    pub identity: identity::Model,
    pub before: Vec<E::Model>,
    pub links: Option<Links>,
}

impl Store {
    /// A store whose reads and writes run in one new transaction, for a request's mutations.
    pub async fn begin(&self) -> ApiResult<Store> {
        Ok(Self {
            db: self.db.begin(self.writers(), self.lock_wait).await?,
            ..self.clone()
        })
    }

    /// Commits the transaction of [`begin`](Self::begin); the sequence number of the last
    /// change-feed entry it added, if any.
    pub async fn commit(self) -> ApiResult<Option<i32>> {
        Ok(self.db.commit().await?)
    }

    /// Refused unless the principal may change something at all (an editor or admin of a
    /// municipality, or a platform admin): checked before a write request queues for the writers'
    /// lock. No credentials is `UNAUTHENTICATED`, credentials without the right `FORBIDDEN`.
    pub fn check_may_write(&self) -> ApiResult<()> {
        match &self.principal {
            Principal::Anonymous => Err(ApiError::Unauthenticated {
                error: "invalid_request",
                reason: "changing a model needs an editor's bearer token",
            }),
            principal
                if principal.edited_municipality().is_some()
                    || matches!(principal, Principal::User { roles, .. }
                        if roles.contains(&Role::PlatformAdmin)) =>
            {
                Ok(())
            }
            _ => Err(ApiError::Forbidden(
                "the token's roles allow no changes: an editor, admin or platform admin may \
                 change records"
                    .to_owned(),
            )),
        }
    }

    /// Whose writers the principal's writes take turns with: its municipality's for an editor or
    /// admin (the only model it may change; also for the platform's records, should it be a
    /// platform admin as well: their revisions keep such writes apart), the platform's otherwise.
    fn writers(&self) -> Writers {
        self.principal
            .edited_municipality()
            .map_or(Writers::Platform, Writers::Municipality)
    }

    /// Who writes, for the versions' and the audit log's records; refused unless the principal
    /// edits the model of `municipality`.
    pub(super) fn editor_of(&self, municipality: i32) -> ApiResult<Recorded> {
        match &self.principal {
            Principal::User { subject, .. } if self.principal.edits(municipality) => {
                Ok(Recorded::now(subject.clone()))
            }
            Principal::Anonymous => Err(ApiError::Forbidden(
                "sign in as an editor of the municipality to change its model".to_owned(),
            )),
            _ => Err(ApiError::Forbidden(format!(
                "only an editor of municipality {municipality} may change its model"
            ))),
        }
    }

    /// Refused unless the principal is an `admin` of `municipality` (who decides what is shared).
    pub(super) fn admin_of(&self, municipality: i32) -> ApiResult<()> {
        match &self.principal {
            Principal::User {
                municipality: Some(own),
                roles,
                ..
            } if *own == municipality && roles.contains(&Role::Admin) => Ok(()),
            _ => Err(ApiError::Forbidden(format!(
                "only an admin of municipality {municipality} may decide who sees its records"
            ))),
        }
    }

    fn client(&self) -> Option<String> {
        match &self.principal {
            Principal::Client { client_id, .. } => Some(client_id.clone()),
            _ => None,
        }
    }

    /// Creates a record with `version`'s own fields and `new`'s as its first version, `private`
    /// until an admin shares it.
    ///
    /// Every write of a mutation takes the same path, in the same order as the import checks a
    /// document's record: who may write and what every version has (`new`, from
    /// [`new_record`](Self::new_record)) and the record's own fields were checked by the caller;
    /// here its free texts ([`Texts`]), then `references`, the records it refers to on its first
    /// day; then the version, its link rows, the audit entry and the change feed's entry.
    pub(super) async fn create<E: Writable>(
        &self,
        version: E::ActiveModel,
        new: NewRecord,
        references: impl AsyncFnOnce() -> ApiResult<()>,
    ) -> ApiResult<E::Model> {
        self.create_linked::<E>(version, new, references, async |_| Ok(()))
            .await
    }

    /// Like [`create`](Self::create), with `links` writing the new record's link rows (given its
    /// id) before the write is recorded.
    pub(super) async fn create_linked<E: Writable>(
        &self,
        mut version: E::ActiveModel,
        new: NewRecord,
        references: impl AsyncFnOnce() -> ApiResult<()>,
        links: impl AsyncFnOnce(i32) -> ApiResult<()>,
    ) -> ApiResult<E::Model> {
        answer_first(checked_texts::<E>(&new.at, &mut version))?;
        references().await?;
        version.set(E::owner(), new.municipality.into());
        version.set(E::visibility(), Visibility::Private.as_str().into());
        version.set(E::valid_from(), Some(new.valid_from).into());
        version.set(E::valid_to(), new.valid_to.into());
        set_source::<E>(&mut version, new.sourced);
        let created = versions::create(&self.db, version, &new.recorded).await?;
        let id = versions::identity_of(&created)?;
        links(id).await?;
        let written = Written {
            action: Action::Create,
            municipality: new.municipality,
            id,
            revision: 1,
            effective_from: Some(new.valid_from),
            recorded: &new.recorded,
        };
        self.record_write::<E>(written, &[], None).await?;
        Ok(created)
    }

    /// Changes the record `id` from `change.from` on: the version holding that day is split there
    /// (or changed, when it starts that day), the columns `changed` sets and the change's source
    /// are set on the part from that day, and the versions after it stay as they are.
    ///
    /// The path and its order are [`create`](Self::create)'s: the free texts `changed` sets,
    /// then `references` on `change.from`, then the revision the client read, the versions, the
    /// link rows, the audit entry and the change feed's entry.
    pub(super) async fn update_from<E: Writable>(
        &self,
        id: i32,
        revision: i32,
        change: Change,
        changed: E::ActiveModel,
        references: impl AsyncFnOnce() -> ApiResult<()>,
    ) -> ApiResult<E::Model> {
        self.update_linked::<E>(id, revision, change, changed, references, async |_| Ok(()))
            .await
    }

    /// Like [`update_from`](Self::update_from), with `links` writing the record's link rows
    /// (given its id) before the write is recorded.
    pub(super) async fn update_linked<E: Writable>(
        &self,
        id: i32,
        revision: i32,
        change: Change,
        mut changed: E::ActiveModel,
        references: impl AsyncFnOnce() -> ApiResult<()>,
        links: impl AsyncFnOnce(i32) -> ApiResult<()>,
    ) -> ApiResult<E::Model> {
        answer_first(checked_texts::<E>(&change.at, &mut changed))?;
        references().await?;
        let from = change.from;
        let change = |version: &mut E::ActiveModel| {
            for column in E::Column::iter() {
                if let ActiveValue::Set(value) = changed.get(column) {
                    version.set(column, value);
                }
            }
            set_source::<E>(version, change.sourced);
        };
        let (found, recorded) = self.claim::<E>(id, revision).await?;
        let holding = holding_on::<E>(&found.before, from)?;
        let starts_that_day = version_field::<E>(holding, E::valid_from()) == Some(from);
        let changed = if starts_that_day {
            let mut active = holding.clone().into_active_model();
            change(&mut active);
            active.set(E::recorded_at(), recorded.at.into());
            active.set(E::recorded_by(), recorded.by.clone().into());
            active.update(&self.db).await?
        } else {
            let mut next = holding.clone().into_active_model();
            change(&mut next);
            next.set(E::valid_from(), Some(from).into());
            for column in [E::id(), E::version(), <E as Versioned>::latest()] {
                next.not_set(column);
            }
            let mut earlier = holding.clone().into_active_model();
            earlier.set(E::valid_to(), Some(from).into());
            earlier.update(&self.db).await?;
            versions::add_version(&self.db, next.reset_all(), id, &recorded).await?
        };
        links(id).await?;
        self.record_change::<E>(Action::Update, Some(from), &found, &recorded)
            .await?;
        Ok(changed)
    }

    /// Ends the record `id` on `from` (the first day it no longer holds): its history stays.
    /// Returns the record's new revision.
    pub async fn terminate<E: Writable>(
        &self,
        id: i32,
        revision: i32,
        from: NaiveDate,
    ) -> ApiResult<i32> {
        let (found, recorded) = self.claim::<E>(id, revision).await?;
        let holding = holding_on::<E>(&found.before, from)?;
        // Something must hold before `from`, or ending the record then leaves nothing of it.
        let held_before = found.before.iter().any(|version| {
            version_field::<E>(version, E::valid_from()).is_none_or(|start| start < from)
        });
        if !held_before {
            return Err(ApiError::bad_input(
                "from",
                "the record starts that day, so ending it then leaves nothing: delete it instead",
            ));
        }
        // Versions that start on or after `from` go; the one holding on `from` ends there.
        for version in &found.before {
            match version_field::<E>(version, E::valid_from()) {
                Some(start) if start >= from => {
                    version.clone().delete(&self.db).await?;
                }
                _ if std::ptr::eq(version, holding) => {
                    let mut active = version.clone().into_active_model();
                    active.set(E::valid_to(), Some(from).into());
                    active.update(&self.db).await?;
                }
                _ => {}
            }
        }
        versions::mark_latest_version::<E, _>(&self.db, id).await?;
        self.record_change::<E>(Action::Terminate, Some(from), &found, &recorded)
            .await?;
        Ok(found.identity.revision)
    }

    /// Deletes the record `id`, all its versions and its link rows (for mistakes; to end a record
    /// that existed, terminate it). Refused while other records refer to it.
    pub async fn delete<E: Writable>(&self, id: i32, revision: i32) -> ApiResult<()> {
        let (found, recorded) = self.claim::<E>(id, revision).await?;
        self.check_unreferenced(E::KIND, id).await?;
        delete_linked(&self.db, E::KIND, id).await?;
        E::delete_many()
            .filter(E::id().eq(id))
            .exec(&self.db)
            .await?;
        identity::Entity::delete_by_id(id).exec(&self.db).await?;
        self.record_change::<E>(Action::Delete, None, &found, &recorded)
            .await
    }

    /// Refuses to delete a record that a column without a foreign key still refers to, as the
    /// database refuses it for the others.
    async fn check_unreferenced(&self, kind: Kind, id: i32) -> ApiResult<()> {
        for (referring, column) in unguarded_references(kind) {
            let query = Query::select()
                .expr(Expr::val(1))
                .from(Alias::new(referring.table()))
                .and_where(Expr::col(Alias::new(*column)).eq(id))
                .limit(1)
                .to_owned();
            let backend = self.db.get_database_backend();
            if self.db.query_one(backend.build(&query)).await?.is_some() {
                return Err(ApiError::Conflict(
                    "other records refer to this record: change or delete them first".to_owned(),
                ));
            }
        }
        Ok(())
    }

    /// Sets who may see the record `id` (all its versions): an admin's decision. Returns the
    /// record's new revision.
    pub async fn set_visibility<E: Writable>(
        &self,
        id: i32,
        revision: i32,
        visibility: Visibility,
    ) -> ApiResult<i32> {
        let (found, recorded) = self.claim::<E>(id, revision).await?;
        // An editor passes the claim; only an admin may go on (the request is then rolled back).
        self.admin_of(found.identity.municipality_code)?;
        E::update_many()
            .col_expr(E::visibility(), Expr::value(visibility.as_str()))
            .filter(E::id().eq(id))
            .exec(&self.db)
            .await?;
        self.record_change::<E>(Action::SetVisibility, None, &found, &recorded)
            .await?;
        Ok(found.identity.revision)
    }

    /// Records a write of an import (see [`model_io`](super::model_io)) to the record `id` of
    /// `municipality`, whose versions were `before`: moves its revision on from `revision` (a
    /// record changed since the import read it is a `CONFLICT`) unless it is new, and writes the
    /// audit entry and the change feed's entry.
    pub(super) async fn record_import<E: Writable>(
        &self,
        action: Action,
        (municipality, id, revision): (i32, i32, i32),
        effective_from: Option<NaiveDate>,
        recorded: &Recorded,
        (before, links): (&[E::Model], Option<&Links>),
    ) -> ApiResult<()> {
        let revision = if action == Action::Create {
            revision
        } else {
            if !self.move_revision_on(id, revision).await? {
                return Err(ApiError::Conflict(format!(
                    "record {id} of {} changed while the import ran; export again and retry",
                    E::default().table_name()
                )));
            }
            revision + 1
        };
        let written = Written {
            action,
            municipality,
            id,
            revision,
            effective_from,
            recorded,
        };
        self.record_write::<E>(written, before, links).await
    }

    /// Moves the revision of record `id` on by one if it is still `revision`; whether it was.
    async fn move_revision_on(&self, id: i32, revision: i32) -> ApiResult<bool> {
        let moved = identity::Entity::update_many()
            .col_expr(
                identity::Column::Revision,
                Expr::col(identity::Column::Revision).add(1),
            )
            .filter(identity::Column::Id.eq(id))
            .filter(identity::Column::Revision.eq(revision))
            .exec(&self.db)
            .await?;
        Ok(moved.rows_affected > 0)
    }

    /// Finds the record `id` of `E` for a write: checks that the caller may change it and moves
    /// its revision on if it is still `revision`.
    async fn claim<E: Writable>(&self, id: i32, revision: i32) -> ApiResult<(Found<E>, Recorded)> {
        self.claim_as::<E>(id, revision, |identity| {
            self.editor_of(identity.municipality_code)
        })
        .await
    }

    /// Like [`claim`](Self::claim), with who may write decided by `authorise` from the record's
    /// identity (a participant of a shared project writes its own part of another's project).
    pub(super) async fn claim_as<E: Writable>(
        &self,
        id: i32,
        revision: i32,
        authorise: impl FnOnce(&identity::Model) -> ApiResult<Recorded>,
    ) -> ApiResult<(Found<E>, Recorded)> {
        self.owner_of::<E>(id).await?;
        let Some(identity) = identity::Entity::find_by_id(id).one(&self.db).await? else {
            return Err(not_found::<E>(id));
        };
        let recorded = authorise(&identity)?;
        if !self.move_revision_on(id, revision).await? {
            // Read again: a concurrent writer's revision is visible once its transaction ended.
            let current = identity::Entity::find_by_id(id)
                .one(&self.db)
                .await?
                .map_or(identity.revision, |now| now.revision);
            return Err(ApiError::StaleRevision {
                sent: revision,
                current,
            });
        }
        let before = E::find()
            .filter(E::id().eq(id))
            .order_by_asc(E::version())
            .all(&self.db)
            .await?;
        let links = linked_rows(&self.db, E::KIND, id).await?;
        let identity = identity::Model {
            revision: revision + 1,
            ..identity
        };
        let found = Found {
            identity,
            before,
            links,
        };
        Ok((found, recorded))
    }

    /// The municipality that owns the record `id` of `E`, once the caller is known to edit its
    /// model: updates check who writes before their input, so nothing stored is read to word an
    /// error for a caller who may not change the record.
    pub(super) async fn owner_for_edit<E: Writable>(&self, id: i32) -> ApiResult<i32> {
        let code = self.owner_of::<E>(id).await?;
        self.editor_of(code)?;
        Ok(code)
    }

    /// The municipality that owns the record `id` of `E`, if the caller may see it.
    pub(super) async fn owner_of<E: Writable>(&self, id: i32) -> ApiResult<i32> {
        let latest = self
            .visible::<E>(Condition::all().add(E::id().eq(id)), None)
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found::<E>(id))?;
        match latest.get(E::owner()) {
            Value::Int(Some(code)) => Ok(code),
            _ => Err(internal("a version names its municipality")),
        }
    }

    async fn record_change<E: Writable>(
        &self,
        action: Action,
        effective_from: Option<NaiveDate>,
        found: &Found<E>,
        recorded: &Recorded,
    ) -> ApiResult<()> {
        let written = Written {
            action,
            municipality: found.identity.municipality_code,
            id: found.identity.id,
            revision: found.identity.revision,
            effective_from,
            recorded,
        };
        self.record_write::<E>(written, &found.before, found.links.as_ref())
            .await
    }

    /// Records a write to the record `written.id`, whose versions and link rows were `before`
    /// and `links`: the audit entry (the record before and as it is now) and the change feed's
    /// entry.
    async fn record_write<E: Writable>(
        &self,
        written: Written<'_>,
        before: &[E::Model],
        links: Option<&Links>,
    ) -> ApiResult<()> {
        let after = E::find()
            .filter(E::id().eq(written.id))
            .order_by_asc(E::version())
            .all(&self.db)
            .await?;
        let links_after = linked_rows(&self.db, E::KIND, written.id).await?;
        self.write_audit(
            Audited {
                kind: E::KIND,
                municipality: Some(written.municipality),
                id: written.id,
                action: written.action,
                revision: written.revision,
            },
            written.recorded,
            (
                record_json(before, links),
                record_json(&after, links_after.as_ref()),
            ),
        )
        .await?;
        self.feed::<E>(&written, before, &after).await
    }

    /// Records a write to the link rows of the record `found` alone (a participant's own part
    /// of a shared project): the audit entry is filed under `municipality` (the writer's); the
    /// change feed's entry is the record's.
    pub(super) async fn record_linked_write<E: Writable>(
        &self,
        found: &Found<E>,
        municipality: i32,
        recorded: &Recorded,
    ) -> ApiResult<()> {
        let identity = &found.identity;
        let links_after = linked_rows(&self.db, E::KIND, identity.id).await?;
        let written = Written {
            action: Action::Update,
            municipality: identity.municipality_code,
            id: identity.id,
            revision: identity.revision,
            effective_from: None,
            recorded,
        };
        self.write_audit(
            Audited {
                kind: E::KIND,
                municipality: Some(municipality),
                id: identity.id,
                action: Action::Update,
                revision: identity.revision,
            },
            recorded,
            (
                record_json(&found.before, found.links.as_ref()),
                record_json(&found.before, links_after.as_ref()),
            ),
        )
        .await?;
        self.feed::<E>(&written, &found.before, &found.before).await
    }

    /// Adds the change feed's entry of a write to a record of `E` whose versions were `before`
    /// and are `after`.
    async fn feed<E: Writable>(
        &self,
        written: &Written<'_>,
        before: &[E::Model],
        after: &[E::Model],
    ) -> ApiResult<()> {
        let widest = |versions: &[E::Model]| {
            versions
                .iter()
                .filter_map(|version| match version.get(E::visibility()) {
                    Value::String(Some(text)) => Visibility::parse(&text),
                    _ => None,
                })
                .max()
        };
        let kind = E::KIND.table();
        // The record's earlier entries may be read by those who may still see the record, no
        // longer by everybody who could when they were written: a record made private stops
        // showing its past. (Sharing a record later does not show the changes made before.)
        if let Some(now) = widest(after) {
            let is_wider = |text: &str| Visibility::parse(text).is_some_and(|v| v > now);
            let wider = Visibility::ALL.iter().filter(|text| is_wider(text));
            // Those of this transaction, still to be added at commit, too.
            self.db.with_pending_feed(|pending| {
                for entry in pending.iter_mut() {
                    let this_record = matches!(&entry.record_id, ActiveValue::Set(id) if *id == written.id)
                        && matches!(&entry.kind, ActiveValue::Set(of) if of == kind);
                    let wider = matches!(&entry.visibility, ActiveValue::Set(v) if is_wider(v));
                    if this_record && wider {
                        entry.visibility = ActiveValue::Set(now.as_str().to_owned());
                    }
                }
            });
            outbox::Entity::update_many()
                .col_expr(outbox::Column::Visibility, Expr::value(now.as_str()))
                .filter(outbox::Column::RecordId.eq(written.id))
                .filter(outbox::Column::Kind.eq(kind))
                .filter(outbox::Column::Visibility.is_in(wider.copied()))
                .exec(&self.db)
                .await?;
        }
        // This entry: whoever could see the record before or after the change may learn of it.
        let visibility = widest(before)
            .max(widest(after))
            .unwrap_or(Visibility::Private);
        let entry = outbox::ActiveModel {
            sequence: ActiveValue::NotSet,
            recorded_at: ActiveValue::Set(written.recorded.at),
            municipality_code: ActiveValue::Set(written.municipality),
            visibility: ActiveValue::Set(visibility.as_str().to_owned()),
            kind: ActiveValue::Set(kind.to_owned()),
            record_id: ActiveValue::Set(written.id),
            action: ActiveValue::Set(written.action.as_str().to_owned()),
            revision: ActiveValue::Set(written.revision),
            effective_from: ActiveValue::Set(written.effective_from),
        };
        Ok(self.db.add_to_feed(entry).await?)
    }
}

impl Store {
    /// Writes the audit entry of a write to a record: its rows before and after, as JSON arrays.
    pub(super) async fn write_audit(
        &self,
        audited: Audited,
        recorded: &Recorded,
        (before, after): (String, String),
    ) -> ApiResult<()> {
        audit_entry::ActiveModel {
            id: ActiveValue::NotSet,
            recorded_at: ActiveValue::Set(recorded.at),
            subject: ActiveValue::Set(recorded.by.clone()),
            client: ActiveValue::Set(self.client()),
            municipality_code: ActiveValue::Set(audited.municipality),
            kind: ActiveValue::Set(audited.kind.table().to_owned()),
            record_id: ActiveValue::Set(audited.id),
            action: ActiveValue::Set(audited.action.as_str().to_owned()),
            revision: ActiveValue::Set(audited.revision),
            before: ActiveValue::Set(before),
            after: ActiveValue::Set(after),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }
}

/// Which record a write changed, for the audit log.
pub(super) struct Audited {
    pub kind: Kind,
    /// Its municipality; none for the platform's own records.
    pub municipality: Option<i32>,
    pub id: i32,
    pub action: Action,
    /// The record's revision after the write.
    pub revision: i32,
}

/// A write to a record, as the audit log and the change feed record it.
struct Written<'a> {
    action: Action,
    municipality: i32,
    id: i32,
    /// The record's revision after the write.
    revision: i32,
    /// The first day the write holds (none for a delete or a change of visibility).
    effective_from: Option<NaiveDate>,
    recorded: &'a Recorded,
}

/// The version of `versions` that holds on `day`.
fn holding_on<E: Writable>(versions: &[E::Model], day: NaiveDate) -> ApiResult<&E::Model> {
    versions
        .iter()
        .find(|version| {
            let from = version_field::<E>(version, E::valid_from());
            let to = version_field::<E>(version, E::valid_to());
            from.is_none_or(|from| from <= day) && to.is_none_or(|to| day < to)
        })
        .ok_or_else(|| {
            ApiError::bad_input(
                "from",
                format!("the record does not hold on {day}: choose a day within its validity"),
            )
        })
}

/// A date column of a version.
fn version_field<E: Writable>(version: &E::Model, column: E::Column) -> Option<NaiveDate> {
    match version.get(column) {
        Value::ChronoDate(Some(day)) => Some(*day),
        _ => None,
    }
}

/// A record as the audit log shows it: a JSON array of its versions, each with the record's link
/// rows (which hold on every day of the record) under the link table's name.
fn record_json<M: ModelTrait>(versions: &[M], links: Option<&Links>) -> String {
    let versions = versions.iter().map(|version| {
        let mut object = row_json(version);
        if let (Json::Object(fields), Some((name, rows))) = (&mut object, links) {
            fields.insert((*name).to_owned(), rows.clone());
        }
        object
    });
    Json::Array(versions.collect()).to_string()
}

/// A row as a JSON object, column by column.
pub(super) fn row_json<M: ModelTrait>(row: &M) -> Json {
    use sea_orm::{IdenStatic, Iterable};
    let mut object = serde_json::Map::new();
    for column in <M::Entity as EntityTrait>::Column::iter() {
        object.insert(column.as_str().to_owned(), cell_json(row.get(column)));
    }
    Json::Object(object)
}

fn cell_json(value: Value) -> Json {
    match value {
        Value::Bool(Some(v)) => Json::from(v),
        Value::Int(Some(v)) => Json::from(v),
        Value::BigInt(Some(v)) => Json::from(v),
        Value::String(Some(v)) => Json::from(*v),
        Value::ChronoDate(Some(v)) => Json::from(v.to_string()),
        Value::ChronoDateTimeUtc(Some(v)) => Json::from(v.to_rfc3339()),
        _ => Json::Null,
    }
}

/// Sets where a version's facts come from.
fn set_source<E: Writable>(version: &mut E::ActiveModel, sourced: Sourced) {
    version.set(E::source(), sourced.source_id.into());
    version.set(E::source_section(), sourced.section.into());
    version.set(E::note(), sourced.note.into());
}

/// The record the client named, by its table (`record 42 of units not found`): the client may not
/// see it, or it does not exist (the two are not told apart).
fn not_found<E: EntityTrait>(id: i32) -> ApiError {
    ApiError::not_found(format!("record {id} of {}", E::default().table_name()))
}

fn internal(message: &str) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("{message}"))
}

/// The most audit entries one read returns.
pub const MAX_AUDIT_ENTRIES: u64 = 100;

impl Store {
    /// The audit log of `municipality` (for the municipality's admins), or of the platform's own
    /// records when none is given (for platform admins), newest first, from before the entry
    /// `before` if given.
    pub async fn audit_log(
        &self,
        municipality: Option<i32>,
        first: u64,
        before: Option<i32>,
    ) -> ApiResult<Vec<audit_entry::Model>> {
        let whose = match municipality {
            Some(code) => {
                self.admin_of(code)?;
                audit_entry::Column::MunicipalityCode.eq(code)
            }
            None => {
                self.platform_admin()?;
                audit_entry::Column::MunicipalityCode.is_null()
            }
        };
        let mut query = audit_entry::Entity::find()
            .filter(whose)
            .order_by_desc(audit_entry::Column::Id)
            .limit(first.min(MAX_AUDIT_ENTRIES));
        if let Some(before) = before {
            query = query.filter(audit_entry::Column::Id.lt(before));
        }
        Ok(query.all(&self.db).await?)
    }
}
