//! Shared (cross-municipal) projects and the municipalities taking part.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};
use entities::{project_participant, shared_project};
use rust_decimal::Decimal;

use super::{
    edits::{key_of, nullable, required, revision_of, ProvenanceInput, VersionInput},
    ids::{GlobalId, Kind},
    list_size,
    loaders::*,
    municipality::Municipality,
    pagination::{paginate, List},
    scalars::Date,
    source::{provenance_of, Provenance},
    store,
};
use crate::{
    service::{Contribution, NewSharedProject, SharedProjectChanges, SharedProjectFilter},
    vocabulary::ProjectRole,
};

dated_record!(
    /// A project shared by several municipalities; owned by its lead municipality.
    SharedProject, shared_project
);

#[Object]
impl SharedProject {
    pub(crate) async fn id(&self) -> ID {
        Kind::SharedProject.id(self.row.id)
    }
    /// Counts the writes to the record; a write sends back the revision it read.
    async fn revision(&self, ctx: &Context<'_>) -> Result<i32> {
        revision_of(self, ctx, self.row.id).await
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    async fn description(&self) -> Option<&str> {
        self.row.description.as_deref()
    }
    /// The municipality that leads (and owns) the project.
    async fn lead(&self, ctx: &Context<'_>) -> Result<Option<Municipality>> {
        self.related(ctx)
            .one(MunicipalityByCode, self.row.municipality_code)
            .await
    }
    #[graphql(directive = list_size::apply(20, None))]
    async fn participants(&self, ctx: &Context<'_>) -> Result<Vec<ProjectParticipant>> {
        self.related(ctx)
            .many(ParticipantsByProject, self.row.id)
            .await
    }
    async fn provenance(&self) -> Provenance {
        provenance_of!(self)
    }
}

dated_record!(
    /// A municipality's part in a shared project.
    ProjectParticipant, project_participant
);

#[Object]
impl ProjectParticipant {
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Option<Municipality>> {
        self.related(ctx)
            .one(MunicipalityByCode, self.row.participant_code)
            .await
    }
    async fn role(&self) -> Option<ProjectRole> {
        ProjectRole::parse(&self.row.role)
    }
    /// Contribution in DKK, exact; null when not given.
    async fn contribution(&self) -> Option<Decimal> {
        self.row.contribution_ore.map(|ore| Decimal::new(ore, 2))
    }
    async fn contribution_note(&self) -> Option<&str> {
        self.row.contribution_note.as_deref()
    }
}

/// Which shared projects to list.
#[derive(Default, InputObject)]
pub struct SharedProjectFilterInput {
    /// Projects led or joined by any of these municipalities.
    pub municipality_codes: Option<Vec<i32>>,
    /// Text to find in the name (case-insensitive).
    pub search: Option<String>,
}

#[derive(Default)]
pub struct ProjectQuery;

#[Object]
impl ProjectQuery {
    /// Shared cross-municipal projects the caller may see.
    async fn shared_projects(
        &self,
        ctx: &Context<'_>,
        filter: Option<SharedProjectFilterInput>,
        as_of: Option<Date>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<SharedProject>> {
        let as_of = Date::day(as_of);
        let filter = filter.unwrap_or_default();
        let filter = SharedProjectFilter {
            municipality_codes: filter.municipality_codes,
            search: filter.search,
        };
        paginate(
            ctx,
            &filter,
            as_of,
            first,
            after,
            |row| row.id,
            |row| SharedProject::read_at(row, as_of),
        )
        .await
    }
}

/// A new shared project, led by the editor's municipality.
#[derive(InputObject)]
pub struct CreateSharedProjectInput {
    /// The lead municipality (the editor's own), which takes part as `LEAD`.
    pub municipality_code: i32,
    pub name: String,
    pub description: Option<String>,
    /// The other municipalities taking part; each writes its own contribution
    /// (`setProjectContribution`).
    #[graphql(default)]
    pub participant_codes: Vec<i32>,
    #[graphql(flatten)]
    pub version: VersionInput,
}

/// Changes to a shared project: a field not given keeps its value, `null` clears it;
/// `participantCodes` replaces the other municipalities taking part (those that stay keep their
/// contributions).
#[derive(InputObject, Default)]
pub struct SharedProjectChangesInput {
    pub name: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    pub participant_codes: MaybeUndefined<Vec<i32>>,
}

#[derive(Default)]
pub struct ProjectMutation;

#[Object]
impl ProjectMutation {
    /// Creates a shared project led by an editor's municipality (`private` until an admin
    /// shares it: participants see it, and write their part, once it is shared with them).
    async fn create_shared_project(
        &self,
        ctx: &Context<'_>,
        input: CreateSharedProjectInput,
    ) -> Result<SharedProject> {
        let valid_from = input.version.valid_from.0;
        let new = NewSharedProject {
            municipality_code: input.municipality_code,
            name: input.name,
            description: input.description,
            participants: input.participant_codes,
            version: input.version.into(),
        };
        let row = store(ctx)?.create_shared_project(new, "input").await?;
        Ok(SharedProject::of_model(row, Some(valid_from)))
    }

    /// Changes a shared project from `from` on; an editor of the lead municipality may.
    async fn update_shared_project(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: i32,
        from: Date,
        changes: SharedProjectChangesInput,
        provenance: ProvenanceInput,
    ) -> Result<SharedProject> {
        let key = key_of(&id, Kind::SharedProject, "id")?;
        let changes = SharedProjectChanges {
            name: required(changes.name, "changes.name")?,
            description: nullable(changes.description),
            participants: nullable(changes.participant_codes).map(Option::unwrap_or_default),
        };
        let row = store(ctx)?
            .update_shared_project(key, revision, from.0, changes, provenance.into(), "changes")
            .await?;
        Ok(SharedProject::of_model(row, Some(from.0)))
    }

    /// Sets a participating municipality's own contribution to a shared project (DKK, at most
    /// two decimals; `null`: not known): an editor of that municipality may, and no other.
    /// `revision` is the project's, as the client read it.
    async fn set_project_contribution(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        revision: i32,
        municipality_code: i32,
        contribution: Option<Decimal>,
        contribution_note: Option<String>,
    ) -> Result<ProjectParticipant> {
        let key = key_of(&project_id, Kind::SharedProject, "projectId")?;
        let contribution = Contribution {
            municipality_code,
            amount: contribution,
            note: contribution_note,
        };
        let row = store(ctx)?
            .set_contribution(key, revision, contribution)
            .await?;
        Ok(ProjectParticipant::read_at(row, None))
    }
}
