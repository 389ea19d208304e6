//! Sources and provenance: which document, date and section every record comes from.

use async_graphql::{ComplexObject, Context, Object, Result, SimpleObject, ID};
use entities::source;

use super::{
    ids::NodeKind,
    loaders::{load_one, SourceById},
    pagination::{paginate, List},
    scalars::Date,
};
use crate::{service::SourceFilter, vocabulary::Visibility};

/// A source document of the dataset.
#[derive(Clone)]
pub struct Source(pub source::Model);

#[Object]
impl Source {
    pub(crate) async fn id(&self) -> ID {
        NodeKind::Source.id(self.0.id)
    }
    /// Short key of the document ("002").
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// File name of the document in the seed collection.
    async fn file(&self) -> &str {
        &self.0.file
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Who published the document.
    async fn publisher(&self) -> &str {
        &self.0.publisher
    }
    /// Date of the document, when it has one.
    async fn date(&self) -> Option<Date> {
        self.0.date.map(Date)
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

/// Where a record comes from, when it holds and who may see it.
#[derive(Clone, SimpleObject)]
#[graphql(complex)]
pub struct Provenance {
    #[graphql(skip)]
    pub source_id: i32,
    /// The section of the source the record comes from.
    pub section: String,
    /// First day the record holds (inclusive); null when not known.
    pub valid_from: Option<Date>,
    /// First day the record no longer holds (exclusive); null while it holds or when not known.
    pub valid_to: Option<Date>,
    pub visibility: Visibility,
    /// Remarks: approximations, ranges, disagreements between sources.
    pub note: Option<String>,
}

#[ComplexObject]
impl Provenance {
    /// The source document.
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<Source>> {
        Ok(load_one(ctx, SourceById, self.source_id, None)
            .await?
            .map(Source))
    }
}

impl Provenance {
    /// Provenance of reference data: public, without a validity period.
    pub fn reference(source_id: i32, section: &str) -> Self {
        Self {
            source_id,
            section: section.to_owned(),
            valid_from: None,
            valid_to: None,
            visibility: Visibility::Public,
            note: None,
        }
    }
}

/// The provenance of a tenant-owned row (they all have the same columns).
macro_rules! provenance_of {
    ($row:expr) => {
        $crate::graphql::source::Provenance {
            source_id: $row.source_id,
            section: $row.source_section.clone(),
            valid_from: $row.valid_from.map($crate::graphql::scalars::Date),
            valid_to: $row.valid_to.map($crate::graphql::scalars::Date),
            visibility: $crate::vocabulary::Visibility::parse(&$row.visibility)
                .unwrap_or($crate::vocabulary::Visibility::Private),
            note: $row.note.clone(),
        }
    };
}
pub(crate) use provenance_of;

#[derive(Default)]
pub struct SourceQuery;

#[Object]
impl SourceQuery {
    /// The source documents of the dataset.
    async fn sources(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Text to find in the title")] search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<Source>> {
        paginate(
            ctx,
            &SourceFilter { search },
            None,
            first,
            after,
            |row| row.id,
            Source,
        )
        .await
    }
}
