//! Writing shared (cross-municipal) projects: the lead municipality (the project's owner) keeps
//! the project and says who takes part; each participant writes its own part, its contribution,
//! and nobody else's.

use chrono::NaiveDate;
use entities::{project_participant, shared_project};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::{
    checks::{checked_long_text, checked_optional, ore, Origin, Text, Texts},
    writes::no_references,
    Store,
};
use crate::{
    error::{ApiError, ApiResult, FieldPath},
    vocabulary::ProjectRole,
};

/// The most municipalities one project lists.
pub(super) const MAX_PARTICIPANTS: usize = 100;

record_input! {
    /// A new shared project, led by `municipality_code`.
    new NewSharedProject {
        municipality_code: i32,
    }
    /// Changes to a shared project: `None` keeps a field (`Some(None)` clears it); `participants`
    /// replaces the other municipalities taking part (those that stay keep their contributions).
    changes SharedProjectChanges;
    fields {
        name: String,
        description: Option<String>,
        /// The other municipalities taking part (the lead always does).
        participants: Vec<i32>,
    }
}

/// A participant's own part of a project.
#[derive(Debug, Clone)]
pub struct Contribution {
    /// The participating municipality (the caller's own).
    pub municipality_code: i32,
    /// DKK, at most two decimals; none when not known.
    pub amount: Option<Decimal>,
    pub note: Option<String>,
}

impl Texts for shared_project::Entity {
    const TEXTS: &'static [(shared_project::Column, Text)] = &[
        (shared_project::Column::Name, Text::Name),
        (shared_project::Column::Description, Text::Long),
    ];
}

impl Store {
    /// Creates a shared project led by an editor's municipality, `private` until an admin shares
    /// it (participants see it once it is shared with them).
    pub async fn create_shared_project(
        &self,
        new: NewSharedProject,
        at: impl Into<FieldPath>,
    ) -> ApiResult<shared_project::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let lead = new.municipality_code;
        let record = self
            .new_record(at, (lead, Some("municipality_code")), &new.version)
            .await?;
        let version = shared_project::ActiveModel {
            name: Set(new.name),
            description: Set(new.description),
            ..Default::default()
        };
        let participants = self
            .checked_participants(&field("participant_codes"), lead, &new.participants)
            .await?;
        let rows = std::iter::once((lead, ProjectRole::Lead)).chain(
            participants
                .iter()
                .map(|code| (*code, ProjectRole::Participant)),
        );
        // Its participants are link rows, checked above as its input; it refers to no record.
        self.create_linked::<shared_project::Entity>(version, record, no_references, async |id| {
            self.add_participants(id, rows).await
        })
        .await
    }

    /// Changes the shared project `id` from `from` on: an editor of the lead municipality may.
    pub async fn update_shared_project(
        &self,
        id: i32,
        revision: i32,
        from: NaiveDate,
        changes: SharedProjectChanges,
        origin: Origin,
        at: impl Into<FieldPath>,
    ) -> ApiResult<shared_project::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let lead = self.owner_for_edit::<shared_project::Entity>(id).await?;
        let change = self.change_from(at, from, &origin).await?;
        let participants = match &changes.participants {
            Some(codes) => Some(
                self.checked_participants(&field("participant_codes"), lead, codes)
                    .await?,
            ),
            None => None,
        };
        let changed = changed!(shared_project {
            name: changes.name,
            description: changes.description,
        });
        self.update_linked::<shared_project::Entity>(
            id,
            revision,
            change,
            changed,
            no_references,
            async |id| match participants {
                Some(participants) => self.replace_participants(id, lead, participants).await,
                None => Ok(()),
            },
        )
        .await
    }

    /// Makes `participants` (and the lead) the municipalities that take part in the project
    /// `id`: those who stay keep their rows (and contributions); the others go.
    async fn replace_participants(
        &self,
        id: i32,
        lead: i32,
        participants: Vec<i32>,
    ) -> ApiResult<()> {
        let rows = self.participants_of(id).await?;
        for row in &rows {
            if row.participant_code != lead && !participants.contains(&row.participant_code) {
                project_participant::Entity::delete_by_id(row.id)
                    .exec(&self.db)
                    .await?;
            }
        }
        let kept: Vec<i32> = rows.iter().map(|row| row.participant_code).collect();
        let added = participants
            .into_iter()
            .filter(|code| !kept.contains(code))
            .map(|code| (code, ProjectRole::Participant));
        self.add_participants(id, added).await
    }

    /// Sets a participant's own contribution to the project `id`: an editor of the participating
    /// municipality may (the lead's editors for the lead's own part), with the project's revision.
    /// Returns the participant's row.
    pub async fn set_contribution(
        &self,
        id: i32,
        revision: i32,
        contribution: Contribution,
    ) -> ApiResult<project_participant::Model> {
        let code = contribution.municipality_code;
        let amount = ore(&FieldPath::from("contribution"), contribution.amount)?;
        let note = checked_optional(
            &FieldPath::from("contributionNote"),
            contribution.note.as_deref(),
            checked_long_text,
        )?;
        let (found, recorded) = self
            .claim_as::<shared_project::Entity>(id, revision, |_| self.editor_of(code))
            .await?;
        let Some(before) = self
            .participants_of(id)
            .await?
            .into_iter()
            .find(|row| row.participant_code == code)
        else {
            return Err(ApiError::bad_input(
                "municipalityCode",
                format!("municipality {code} does not take part in the project"),
            ));
        };
        let mut row: project_participant::ActiveModel = before.clone().into();
        row.contribution_ore = Set(amount);
        row.contribution_note = Set(note);
        let after = row.update(&self.db).await?;
        self.record_linked_write(&found, code, &recorded).await?;
        Ok(after)
    }

    /// The other participants of a project led by `lead`, checked: existing municipalities,
    /// none twice, not the lead (which always takes part).
    async fn checked_participants(
        &self,
        field: &FieldPath,
        lead: i32,
        codes: &[i32],
    ) -> ApiResult<Vec<i32>> {
        if codes.len() > MAX_PARTICIPANTS {
            return Err(ApiError::bad_input(
                field,
                format!("a project has at most {MAX_PARTICIPANTS} participants"),
            ));
        }
        for (position, code) in codes.iter().enumerate() {
            let at = field.index(position);
            if *code == lead {
                return Err(ApiError::bad_input(
                    at,
                    "the lead municipality takes part already",
                ));
            }
            if codes[..position].contains(code) {
                return Err(ApiError::bad_input(at, format!("{code} is listed twice")));
            }
            if !super::municipality_exists(&self.db, *code).await? {
                return Err(ApiError::bad_input(
                    at,
                    format!("there is no municipality {code}"),
                ));
            }
        }
        Ok(codes.to_vec())
    }

    /// Adds participant rows: each municipality with its role in the project.
    async fn add_participants(
        &self,
        project: i32,
        rows: impl Iterator<Item = (i32, ProjectRole)>,
    ) -> ApiResult<()> {
        for (code, role) in rows {
            project_participant::ActiveModel {
                id: NotSet,
                project_id: Set(project),
                participant_code: Set(code),
                role: Set(role.as_str().to_owned()),
                contribution_ore: Set(None),
                contribution_note: Set(None),
            }
            .insert(&self.db)
            .await?;
        }
        Ok(())
    }

    async fn participants_of(&self, project: i32) -> ApiResult<Vec<project_participant::Model>> {
        Ok(project_participant::Entity::find()
            .filter(project_participant::Column::ProjectId.eq(project))
            .all(&self.db)
            .await?)
    }
}
