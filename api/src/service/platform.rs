//! The platform's own records, kept by platform admins: the municipalities (the tenants), the
//! networks that group them (membership decides who sees `network` records, so only a platform
//! admin changes it), and partner organisations. These records have no versions; each write
//! compare-and-sets the record's revision and leaves an audit entry, in the request's
//! transaction, as the writes to a municipality's model do.

use entities::{municipality, network, network_membership, partner_organisation, OfKind};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, EntityTrait,
    IntoActiveModel, ModelTrait, QueryFilter, QueryOrder, QuerySelect, Set, Value,
};
use serde_json::Value as Json;

use super::{
    checks::{checked_long_text, checked_optional, checked_text, checked_year},
    versions::Recorded,
    writes::{row_json, Audited},
    Principal, Role, Store,
};
use crate::{
    error::{excerpt, ApiError, ApiResult, FieldPath},
    vocabulary::WriteAction,
};

/// Kommunekoder (Danmarks Statistik) have three digits.
const MUNICIPALITY_CODES: std::ops::RangeInclusive<i32> = 100..=999;
/// More inhabitants than any Danish municipality has, by far: a typing mistake.
const MAX_POPULATION: i64 = 10_000_000;
/// The longest key of a network or partner organisation.
const MAX_KEY_CHARS: usize = 100;
/// The most members a network can list.
const MAX_MEMBERS: usize = 200;

/// A new municipality (a tenant).
#[derive(Debug, Clone)]
pub struct NewMunicipality {
    pub code: i32,
    pub name: String,
    pub population: Population,
}

/// A municipality's population: the figure, its year and source, or a note saying why it is
/// unknown (or how approximate it is).
#[derive(Debug, Clone, Default)]
pub struct Population {
    pub inhabitants: Option<i64>,
    pub year: Option<i32>,
    pub source: Option<String>,
    pub section: Option<String>,
    pub note: Option<String>,
}

/// Changes to a municipality: `None` keeps a field; `population` replaces all of it.
#[derive(Debug, Clone, Default)]
pub struct MunicipalityChanges {
    pub name: Option<String>,
    pub population: Option<Population>,
}

/// A new network of municipalities.
#[derive(Debug, Clone)]
pub struct NewNetwork {
    pub key: String,
    pub name: String,
    pub kind: String,
    pub description: Option<String>,
    pub source: String,
    pub section: String,
    pub members: Vec<i32>,
}

/// Changes to a network: `None` keeps a field (`Some(None)` clears it); `members` replaces the set.
#[derive(Debug, Clone, Default)]
pub struct NetworkChanges {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub description: Option<Option<String>>,
    pub source: Option<(String, String)>,
    pub members: Option<Vec<i32>>,
}

/// A new partner organisation.
#[derive(Debug, Clone)]
pub struct NewPartner {
    pub key: String,
    pub name: String,
    pub kind: String,
    pub note: Option<String>,
    pub source: String,
    pub section: String,
}

/// Changes to a partner organisation: `None` keeps a field (`Some(None)` clears it).
#[derive(Debug, Clone, Default)]
pub struct PartnerChanges {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub note: Option<Option<String>>,
    pub source: Option<(String, String)>,
}

/// The checked changes to the name, kind and source every platform record has.
struct CommonChanges {
    name: Option<String>,
    kind: Option<String>,
    source_id: Option<i32>,
    source_section: Option<String>,
}

/// A table of the platform's own records: its key and revision columns, and the municipality an
/// audit entry of a record files it under (none: the platform's log).
trait PlatformTable: OfKind + EntityTrait<Model: IntoActiveModel<Self::ActiveModel> + Sync> {
    fn key() -> Self::Column;
    fn revision() -> Self::Column;
    fn audited_under(key: i32) -> Option<i32>;
    /// Whether the audit log shows the record's members (a network's).
    const HAS_MEMBERS: bool = false;
}

impl PlatformTable for municipality::Entity {
    fn key() -> Self::Column {
        municipality::Column::Code
    }
    fn revision() -> Self::Column {
        municipality::Column::Revision
    }
    /// A municipality's admins read the changes of their municipality's record.
    fn audited_under(code: i32) -> Option<i32> {
        Some(code)
    }
}

impl PlatformTable for network::Entity {
    const HAS_MEMBERS: bool = true;
    fn key() -> Self::Column {
        network::Column::Id
    }
    fn revision() -> Self::Column {
        network::Column::Revision
    }
    fn audited_under(_: i32) -> Option<i32> {
        None
    }
}

impl PlatformTable for partner_organisation::Entity {
    fn key() -> Self::Column {
        partner_organisation::Column::Id
    }
    fn revision() -> Self::Column {
        partner_organisation::Column::Revision
    }
    fn audited_under(_: i32) -> Option<i32> {
        None
    }
}

impl Store {
    /// Who writes the platform's records: refused unless the principal is a `platform-admin`.
    pub(super) fn platform_admin(&self) -> ApiResult<Recorded> {
        match &self.principal {
            Principal::User { subject, roles, .. } if roles.contains(&Role::PlatformAdmin) => {
                Ok(Recorded::now(subject.clone()))
            }
            _ => Err(ApiError::Forbidden(
                "only a platform admin may change municipalities, networks and partner \
                 organisations"
                    .to_owned(),
            )),
        }
    }

    /// Adds a municipality (a tenant); its users can sign in once their tokens name its code.
    pub async fn create_municipality(
        &self,
        new: NewMunicipality,
    ) -> ApiResult<municipality::Model> {
        let recorded = self.platform_admin()?;
        if !MUNICIPALITY_CODES.contains(&new.code) {
            return Err(ApiError::bad_input(
                "input.code",
                "a kommunekode has three digits (100 to 999)",
            ));
        }
        if super::municipality_exists(&self.db, new.code).await? {
            return Err(ApiError::Conflict(format!(
                "municipality {} exists",
                new.code
            )));
        }
        let mut row = municipality::ActiveModel {
            code: Set(new.code),
            name: Set(checked_text(&FieldPath::from("input.name"), &new.name)?),
            revision: NotSet,
            ..Default::default()
        };
        self.set_population(
            &mut row,
            new.population,
            &FieldPath::from("input.population"),
        )
        .await?;
        let created = row.insert(&self.db).await?;
        self.audit_platform::<municipality::Entity>(WriteAction::Create, new.code, &recorded, None)
            .await?;
        Ok(created)
    }

    /// Changes a municipality's name or population.
    pub async fn update_municipality(
        &self,
        code: i32,
        revision: i32,
        changes: MunicipalityChanges,
    ) -> ApiResult<municipality::Model> {
        let mut update = self
            .begin_platform_update::<municipality::Entity>(code, revision)
            .await?;
        if let Some(name) = changes.name {
            update.row.name = Set(checked_text(&FieldPath::from("changes.name"), &name)?);
        }
        if let Some(population) = changes.population {
            self.set_population(
                &mut update.row,
                population,
                &FieldPath::from("changes.population"),
            )
            .await?;
        }
        self.finish_platform_update(code, update).await
    }

    /// Sets a population, checked: a figure has its year, source and section; a figure is not
    /// negative or absurd.
    async fn set_population(
        &self,
        row: &mut municipality::ActiveModel,
        population: Population,
        at: &FieldPath,
    ) -> ApiResult<()> {
        let field = |name: &str| at.field(name);
        if let Some(inhabitants) = population.inhabitants {
            if !(0..=MAX_POPULATION).contains(&inhabitants) {
                return Err(ApiError::bad_input(
                    field("inhabitants"),
                    format!("must be from 0 to {MAX_POPULATION}"),
                ));
            }
            if population.year.is_none() {
                return Err(ApiError::bad_input(
                    field("year"),
                    "a population figure needs the year it counts",
                ));
            }
            if population.source.is_none() {
                return Err(ApiError::bad_input(
                    field("source"),
                    "a population figure needs its source",
                ));
            }
        }
        if let Some(year) = population.year {
            checked_year(&field("year"), year)?;
        }
        let source = match &population.source {
            Some(key) => Some(self.source_id(&field("source"), key).await?),
            None => None,
        };
        let section = checked_optional(
            &field("section"),
            population.section.as_deref(),
            checked_text,
        )?;
        if source.is_some() && section.is_none() {
            return Err(ApiError::bad_input(
                field("section"),
                "name the section of the source the figure comes from",
            ));
        }
        row.population = Set(population.inhabitants);
        row.population_year = Set(population.year);
        row.population_source_id = Set(source);
        row.population_section = Set(section);
        row.population_note = Set(checked_optional(
            &field("note"),
            population.note.as_deref(),
            checked_long_text,
        )?);
        Ok(())
    }

    /// Adds a network and its members.
    pub async fn create_network(&self, new: NewNetwork) -> ApiResult<network::Model> {
        let recorded = self.platform_admin()?;
        let key = checked_key(&FieldPath::from("input.key"), &new.key)?;
        if network::Entity::find()
            .filter(network::Column::Key.eq(key.as_str()))
            .one(&self.db)
            .await?
            .is_some()
        {
            return Err(ApiError::Conflict(format!("a network has the key {key}")));
        }
        let members = self
            .checked_members(&FieldPath::from("input.members"), &new.members)
            .await?;
        let created = network::ActiveModel {
            id: NotSet,
            key: Set(key),
            name: Set(checked_text(&FieldPath::from("input.name"), &new.name)?),
            revision: NotSet,
            kind: Set(checked_text(&FieldPath::from("input.kind"), &new.kind)?),
            description: Set(checked_optional(
                &FieldPath::from("input.description"),
                new.description.as_deref(),
                checked_long_text,
            )?),
            source_id: Set(self
                .source_id(&FieldPath::from("input.source"), &new.source)
                .await?),
            source_section: Set(checked_text(
                &FieldPath::from("input.section"),
                &new.section,
            )?),
        }
        .insert(&self.db)
        .await?;
        self.set_members(created.id, &members).await?;
        self.audit_platform::<network::Entity>(WriteAction::Create, created.id, &recorded, None)
            .await?;
        Ok(created)
    }

    /// Changes a network; `members` replaces its members.
    pub async fn update_network(
        &self,
        id: i32,
        revision: i32,
        changes: NetworkChanges,
    ) -> ApiResult<network::Model> {
        let mut update = self
            .begin_platform_update::<network::Entity>(id, revision)
            .await?;
        let common = self
            .checked_common_changes(changes.name, changes.kind, changes.source)
            .await?;
        let description = changes
            .description
            .map(|text| {
                checked_optional(
                    &FieldPath::from("changes.description"),
                    text.as_deref(),
                    checked_long_text,
                )
            })
            .transpose()?;
        let row = &mut update.row;
        set_changed!(row {
            name: common.name,
            kind: common.kind,
            source_id: common.source_id,
            source_section: common.source_section,
            description,
        });
        if let Some(members) = changes.members {
            let members = self
                .checked_members(&FieldPath::from("changes.members"), &members)
                .await?;
            network_membership::Entity::delete_many()
                .filter(network_membership::Column::NetworkId.eq(id))
                .exec(&self.db)
                .await?;
            self.set_members(id, &members).await?;
        }
        self.finish_platform_update(id, update).await
    }

    /// The changes every platform record's update may make, checked: its name, kind and source
    /// (`None`: unchanged).
    async fn checked_common_changes(
        &self,
        name: Option<String>,
        kind: Option<String>,
        source: Option<(String, String)>,
    ) -> ApiResult<CommonChanges> {
        let name = checked_optional(
            &FieldPath::from("changes.name"),
            name.as_deref(),
            checked_text,
        )?;
        let kind = checked_optional(
            &FieldPath::from("changes.kind"),
            kind.as_deref(),
            checked_text,
        )?;
        let (source_id, source_section) = match source {
            Some((source, section)) => (
                Some(
                    self.source_id(&FieldPath::from("changes.source"), &source)
                        .await?,
                ),
                Some(checked_text(&FieldPath::from("changes.section"), &section)?),
            ),
            None => (None, None),
        };
        Ok(CommonChanges {
            name,
            kind,
            source_id,
            source_section,
        })
    }

    /// The members of a network, checked: existing municipalities, none twice.
    async fn checked_members(&self, field: &FieldPath, members: &[i32]) -> ApiResult<Vec<i32>> {
        if members.len() > MAX_MEMBERS {
            return Err(ApiError::bad_input(
                field,
                format!("a network has at most {MAX_MEMBERS} members"),
            ));
        }
        for (position, code) in members.iter().enumerate() {
            let at = field.index(position);
            if members[..position].contains(code) {
                return Err(ApiError::bad_input(at, format!("{code} is listed twice")));
            }
            if !super::municipality_exists(&self.db, *code).await? {
                return Err(ApiError::bad_input(
                    at,
                    format!("there is no municipality {code}"),
                ));
            }
        }
        Ok(members.to_vec())
    }

    async fn set_members(&self, network: i32, members: &[i32]) -> ApiResult<()> {
        for code in members {
            network_membership::ActiveModel {
                id: NotSet,
                network_id: Set(network),
                municipality_code: Set(*code),
            }
            .insert(&self.db)
            .await?;
        }
        Ok(())
    }

    /// The municipality codes of a network's members, in order.
    async fn members_of(&self, network: i32) -> ApiResult<Vec<i32>> {
        Ok(network_membership::Entity::find()
            .select_only()
            .column(network_membership::Column::MunicipalityCode)
            .filter(network_membership::Column::NetworkId.eq(network))
            .order_by_asc(network_membership::Column::MunicipalityCode)
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// Adds a partner organisation.
    pub async fn create_partner(&self, new: NewPartner) -> ApiResult<partner_organisation::Model> {
        let recorded = self.platform_admin()?;
        let key = checked_key(&FieldPath::from("input.key"), &new.key)?;
        if partner_organisation::Entity::find()
            .filter(partner_organisation::Column::Key.eq(key.as_str()))
            .one(&self.db)
            .await?
            .is_some()
        {
            return Err(ApiError::Conflict(format!(
                "a partner organisation has the key {key}"
            )));
        }
        let created = partner_organisation::ActiveModel {
            id: NotSet,
            key: Set(key),
            name: Set(checked_text(&FieldPath::from("input.name"), &new.name)?),
            revision: NotSet,
            kind: Set(checked_text(&FieldPath::from("input.kind"), &new.kind)?),
            note: Set(checked_optional(
                &FieldPath::from("input.note"),
                new.note.as_deref(),
                checked_long_text,
            )?),
            source_id: Set(self
                .source_id(&FieldPath::from("input.source"), &new.source)
                .await?),
            source_section: Set(checked_text(
                &FieldPath::from("input.section"),
                &new.section,
            )?),
        }
        .insert(&self.db)
        .await?;
        self.audit_platform::<partner_organisation::Entity>(
            WriteAction::Create,
            created.id,
            &recorded,
            None,
        )
        .await?;
        Ok(created)
    }

    /// Changes a partner organisation.
    pub async fn update_partner(
        &self,
        id: i32,
        revision: i32,
        changes: PartnerChanges,
    ) -> ApiResult<partner_organisation::Model> {
        let mut update = self
            .begin_platform_update::<partner_organisation::Entity>(id, revision)
            .await?;
        let common = self
            .checked_common_changes(changes.name, changes.kind, changes.source)
            .await?;
        let note = changes
            .note
            .map(|text| {
                checked_optional(
                    &FieldPath::from("changes.note"),
                    text.as_deref(),
                    checked_long_text,
                )
            })
            .transpose()?;
        let row = &mut update.row;
        set_changed!(row {
            name: common.name,
            kind: common.kind,
            source_id: common.source_id,
            source_section: common.source_section,
            note,
        });
        self.finish_platform_update(id, update).await
    }

    /// Starts an update of the record `key` of `E` by a platform admin: checks the principal,
    /// compare-and-sets the revision, and keeps the record as it was for the audit log.
    async fn begin_platform_update<E: PlatformTable>(
        &self,
        key: i32,
        revision: i32,
    ) -> ApiResult<PlatformUpdate<E>> {
        let recorded = self.platform_admin()?;
        let before = self.claim_platform::<E>(key, revision).await?;
        let audited_before = self.audited_json::<E>(&before, key).await?;
        Ok(PlatformUpdate {
            recorded,
            row: before.into_active_model(),
            audited_before,
        })
    }

    /// Writes the changed row of an update, audits it, and reads the record back.
    async fn finish_platform_update<E: PlatformTable>(
        &self,
        key: i32,
        update: PlatformUpdate<E>,
    ) -> ApiResult<E::Model>
    where
        E::ActiveModel: ActiveModelTrait<Entity = E> + sea_orm::ActiveModelBehavior + Send,
    {
        update.row.update(&self.db).await?;
        self.audit_platform::<E>(
            WriteAction::Update,
            key,
            &update.recorded,
            Some(update.audited_before),
        )
        .await?;
        self.platform_row::<E>(key).await
    }

    /// Finds the record `key` of `E` for a write and moves its revision on if it is still
    /// `revision` (compare-and-set in SQL); the record as it was.
    async fn claim_platform<E: PlatformTable>(
        &self,
        key: i32,
        revision: i32,
    ) -> ApiResult<E::Model> {
        let before = self.platform_row::<E>(key).await?;
        let moved = E::update_many()
            .col_expr(E::revision(), Expr::col(E::revision()).add(1))
            .filter(E::key().eq(key))
            .filter(E::revision().eq(revision))
            .exec(&self.db)
            .await?;
        if moved.rows_affected == 0 {
            let current = self.platform_row::<E>(key).await?;
            return Err(ApiError::StaleRevision {
                sent: revision,
                current: revision_of::<E>(&current)?,
            });
        }
        Ok(before)
    }

    /// The record `key` of `E` as stored.
    async fn platform_row<E: PlatformTable>(&self, key: i32) -> ApiResult<E::Model> {
        E::find()
            .filter(E::key().eq(key))
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                ApiError::not_found(format!("record {key} of {}", E::default().table_name()))
            })
    }

    /// The audit entry of a write to the record `key` of `E`, which was `before` (none: created).
    async fn audit_platform<E: PlatformTable>(
        &self,
        action: WriteAction,
        key: i32,
        recorded: &Recorded,
        before: Option<Json>,
    ) -> ApiResult<()> {
        let after = self.platform_row::<E>(key).await?;
        let revision = revision_of::<E>(&after)?;
        let after = self.audited_json::<E>(&after, key).await?;
        let as_array = |row: Option<Json>| Json::Array(row.into_iter().collect()).to_string();
        self.write_audit(
            Audited {
                kind: E::KIND,
                municipality: E::audited_under(key),
                id: key,
                action,
                revision,
            },
            recorded,
            (as_array(before), as_array(Some(after))),
        )
        .await
    }

    /// The record `key` of `E` as the audit log shows it: its columns, and a network's members
    /// (membership decides who sees what).
    async fn audited_json<E: PlatformTable>(&self, row: &E::Model, key: i32) -> ApiResult<Json> {
        let mut json = row_json(row);
        if E::HAS_MEMBERS {
            json["members"] = Json::from(self.members_of(key).await?);
        }
        Ok(json)
    }
}

/// An update of a platform record under way: who writes, the row being changed, and the record as
/// it was (for the audit log).
struct PlatformUpdate<E: EntityTrait> {
    recorded: Recorded,
    row: E::ActiveModel,
    audited_before: Json,
}

/// The revision of a platform record.
fn revision_of<E: PlatformTable>(row: &E::Model) -> ApiResult<i32> {
    match row.get(E::revision()) {
        Value::Int(Some(revision)) => Ok(revision),
        _ => Err(ApiError::Internal(anyhow::anyhow!(
            "a record of {} has no revision",
            E::default().table_name()
        ))),
    }
}

/// A key that other records and data files name a record by: lowercase letters, digits and `-`.
fn checked_key(field: &FieldPath, key: &str) -> ApiResult<String> {
    let well_formed = !key.is_empty()
        && key.chars().count() <= MAX_KEY_CHARS
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if well_formed {
        Ok(key.to_owned())
    } else {
        Err(ApiError::bad_input(
            field,
            format!(
                "{} is not a key: lowercase letters, digits and `-`, at most {MAX_KEY_CHARS}",
                excerpt(key)
            ),
        ))
    }
}
