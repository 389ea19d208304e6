//! Shared (cross-municipal) projects and the municipalities taking part.

use async_graphql::{Context, InputObject, Object, Result, ID};
use entities::{project_participant, shared_project};
use rust_decimal::Decimal;

use super::{
    edits::revision_of,
    ids::NodeKind,
    list_size,
    loaders::*,
    municipality::Municipality,
    pagination::{paginate, List},
    scalars::Date,
    source::{provenance_of, Provenance},
};
use crate::{service::SharedProjectFilter, vocabulary::ProjectRole};

dated_record!(
    /// A project shared by several municipalities; owned by its lead municipality.
    SharedProject, shared_project::Model
);

#[Object]
impl SharedProject {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::SharedProject.id(self.row.id)
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
    ProjectParticipant, project_participant::Model
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
