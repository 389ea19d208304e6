//! Sources and provenance: which document, date and section every record comes from.

use async_graphql::{ComplexObject, Context, Object, Result, SimpleObject, ID};
use chrono::NaiveDate;
use entities::source;

use super::{
    ids::{GlobalId, Kind},
    loaders::{Dated, Record, SourceById},
    pagination::{paginate, List},
    scalars::Date,
};
use crate::{service::SourceFilter, vocabulary::Visibility};

dated_record!(
    /// A source document of the dataset.
    Source, source
);

#[Object]
impl Source {
    pub(crate) async fn id(&self) -> ID {
        Kind::Source.id(self.row.id)
    }
    /// Short key of the document ("002").
    async fn key(&self) -> &str {
        &self.row.key
    }
    /// File name of the document in the seed collection.
    async fn file(&self) -> &str {
        &self.row.file
    }
    async fn title(&self) -> &str {
        &self.row.title
    }
    /// Who published the document.
    async fn publisher(&self) -> &str {
        &self.row.publisher
    }
    /// Date of the document, when it has one.
    async fn date(&self) -> Option<Date> {
        self.row.date.map(Date)
    }
    async fn note(&self) -> Option<&str> {
        self.row.note.as_deref()
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
    /// Which version of the record this is (1, 2, … in the order they were written; a later source
    /// describing the same record is its next version); null for reference data, which has none.
    pub version: Option<i32>,
    /// The day the record was read at, handed on to the source.
    #[graphql(skip)]
    pub as_of: Option<NaiveDate>,
}

impl Dated for Provenance {
    fn as_of(&self) -> Option<NaiveDate> {
        self.as_of
    }
}

#[ComplexObject]
impl Provenance {
    /// The source document.
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<Source>> {
        self.related(ctx).one(SourceById, self.source_id).await
    }
}

impl Provenance {
    /// Provenance of reference data read by `record`: public, without a validity period.
    pub fn reference(record: &impl Dated, source_id: i32, section: &str) -> Self {
        Self {
            source_id,
            section: section.to_owned(),
            valid_from: None,
            valid_to: None,
            visibility: Visibility::Public,
            note: None,
            version: None,
            as_of: record.as_of(),
        }
    }
}

/// The provenance of a record of a tenant-owned table (they all have the same columns).
macro_rules! provenance_of {
    ($record:expr) => {
        $crate::graphql::source::Provenance {
            source_id: $record.row.source_id,
            section: $record.row.source_section.clone(),
            valid_from: $record.row.valid_from.map($crate::graphql::scalars::Date),
            valid_to: $record.row.valid_to.map($crate::graphql::scalars::Date),
            visibility: $crate::vocabulary::Visibility::parse(&$record.row.visibility)
                .unwrap_or($crate::vocabulary::Visibility::Private),
            note: $record.row.note.clone(),
            version: Some($record.row.version),
            as_of: $crate::graphql::loaders::Dated::as_of($record),
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
            |row| Source::read_at(row, None),
        )
        .await
    }
}
