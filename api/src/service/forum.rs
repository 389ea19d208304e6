//! Writing forums and their members. A forum is one of the editor's municipality, optionally of a
//! network the municipality belongs to; a member attends a forum of the same municipality and is
//! one of its units or a partner organisation, with the role title of who attends.

use chrono::NaiveDate;
use entities::{forum, forum_member, network_membership};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::{
    checks::{Origin, Party, Text, Texts},
    Store,
};
use crate::{
    error::{ApiError, ApiResult, FieldPath},
    vocabulary::{ForumLevel, ForumScope},
};

record_input! {
    /// A new forum.
    new NewForum {
        municipality_code: i32,
    }
    /// Changes to a forum: `None` keeps a field, `Some` sets it (`Some(None)` clears it).
    changes ForumChanges;
    fields {
        name: String,
        scope: ForumScope,
        level: ForumLevel,
        cadence: Option<String>,
        purpose: Option<String>,
        network_id: Option<i32>,
    }
}

impl Texts for forum::Entity {
    const TEXTS: &'static [(forum::Column, Text)] = &[
        (forum::Column::Name, Text::Name),
        (forum::Column::Cadence, Text::Name),
        (forum::Column::Purpose, Text::Long),
    ];
}

impl Texts for forum_member::Entity {
    const TEXTS: &'static [(forum_member::Column, Text)] =
        &[(forum_member::Column::RoleTitle, Text::Name)];
}

impl Store {
    /// Creates a forum of the editor's municipality, `private` until an admin shares it.
    pub async fn create_forum(
        &self,
        new: NewForum,
        at: impl Into<FieldPath>,
    ) -> ApiResult<forum::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let code = new.municipality_code;
        let record = self
            .new_record(at, (code, Some("municipality_code")), &new.version)
            .await?;
        let version = forum::ActiveModel {
            network_id: Set(new.network_id),
            name: Set(new.name),
            scope: Set(new.scope.as_str().to_owned()),
            level: Set(new.level.as_str().to_owned()),
            cadence: Set(new.cadence),
            purpose: Set(new.purpose),
            ..Default::default()
        };
        self.create::<forum::Entity>(version, record, async || {
            self.check_network(&field("network_id"), code, new.network_id)
                .await
        })
        .await
    }

    /// Changes the forum `id` from `from` on.
    pub async fn update_forum(
        &self,
        id: i32,
        revision: i32,
        from: NaiveDate,
        changes: ForumChanges,
        origin: Origin,
        at: impl Into<FieldPath>,
    ) -> ApiResult<forum::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let code = self.owner_for_edit::<forum::Entity>(id).await?;
        let change = self.change_from(at, from, &origin).await?;
        let changed = changed!(forum {
            name: changes.name,
            scope: changes.scope.map(|scope| scope.as_str().to_owned()),
            level: changes.level.map(|level| level.as_str().to_owned()),
            cadence: changes.cadence,
            purpose: changes.purpose,
            network_id: changes.network_id,
        });
        self.update_from::<forum::Entity>(id, revision, change, changed, async || {
            match changes.network_id {
                Some(network) => {
                    self.check_network(&field("network_id"), code, network)
                        .await
                }
                None => Ok(()),
            }
        })
        .await
    }

    /// A forum's network must be one the municipality `code` belongs to.
    async fn check_network(
        &self,
        field: &FieldPath,
        code: i32,
        network: Option<i32>,
    ) -> ApiResult<()> {
        let Some(network) = network else {
            return Ok(());
        };
        let memberships = network_membership::Entity::find()
            .filter(network_membership::Column::NetworkId.eq(network))
            .filter(network_membership::Column::MunicipalityCode.eq(code))
            .count(&self.db)
            .await?;
        if memberships == 0 {
            return Err(ApiError::bad_input(
                field,
                format!("municipality {code} is not in a network with that ID"),
            ));
        }
        Ok(())
    }
}

record_input! {
    /// A new member of a forum: exactly one of a unit and a partner organisation.
    new NewForumMember {
        forum_id: i32,
    }
    /// Changes to a forum member: `None` keeps a field, `Some` sets it (`Some(None)` clears it; the
    /// member must still name exactly one of a unit and a partner organisation).
    changes ForumMemberChanges;
    fields {
        unit_id: Option<i32>,
        partner_id: Option<i32>,
        role_title: String,
    }
}

impl Store {
    /// Adds a member to a forum of the editor's municipality, `private` until shared.
    pub async fn create_forum_member(
        &self,
        new: NewForumMember,
        at: impl Into<FieldPath>,
    ) -> ApiResult<forum_member::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let forum = self
            .version_on::<forum::Entity>(new.forum_id, new.version.valid_from)
            .await?
            .ok_or_else(|| {
                ApiError::bad_input(
                    field("forum_id"),
                    format!("no forum with that ID holds on {}", new.version.valid_from),
                )
            })?;
        let code = forum.municipality_code;
        let record = self.new_record(at, (code, None), &new.version).await?;
        let party = Party::of(at, new.unit_id, new.partner_id)?;
        let version = forum_member::ActiveModel {
            forum_id: Set(forum.id),
            unit_id: Set(party.unit_id()),
            partner_id: Set(party.partner_id()),
            role_title: Set(new.role_title),
            ..Default::default()
        };
        let day = new.version.valid_from;
        self.create::<forum_member::Entity>(version, record, async || {
            self.check_party(at, code, party, day).await
        })
        .await
    }

    /// Changes the forum member `id` from `from` on (who attends, or their role title).
    pub async fn update_forum_member(
        &self,
        id: i32,
        revision: i32,
        from: NaiveDate,
        changes: ForumMemberChanges,
        origin: Origin,
        at: impl Into<FieldPath>,
    ) -> ApiResult<forum_member::Model> {
        let at: &FieldPath = &at.into();
        let code = self.owner_for_edit::<forum_member::Entity>(id).await?;
        let change = self.change_from(at, from, &origin).await?;
        // Who attends as it will be: the changed references, and the others as they are on `from`.
        let party = if changes.unit_id.is_some() || changes.partner_id.is_some() {
            let current = self.holding_from::<forum_member::Entity>(id, from).await?;
            let party = Party::of(
                at,
                changes.unit_id.unwrap_or(current.unit_id),
                changes.partner_id.unwrap_or(current.partner_id),
            )?;
            Some(party)
        } else {
            None
        };
        let mut changed = forum_member::ActiveModel::default();
        if let Some(party) = party {
            changed.unit_id = Set(party.unit_id());
            changed.partner_id = Set(party.partner_id());
        }
        set_changed!(changed {
            role_title: changes.role_title
        });
        self.update_from::<forum_member::Entity>(
            id,
            revision,
            change,
            changed,
            async || match party {
                Some(party) => self.check_party(at, code, party, from).await,
                None => Ok(()),
            },
        )
        .await
    }
}
