//! `[[committee]]`: the municipality's political committees.

use entities::{
    kinds::Kind,
    political_committee::{self, Model},
};

use super::{each, Section};
use crate::{
    error::FieldPath,
    service::model_io::{document::*, export::Names, import_plan::ImportPlan, rows::Rows},
};

tenant_record! {
pub struct CommitteeRecord {
    pub name: String,
}
}

impl Section for CommitteeRecord {
    const KIND: Kind = Kind::PoliticalCommittee;

    fn decode(plan: &mut ImportPlan, section: &FieldPath, records: &[Self], rows: &mut Rows) {
        for (at, r) in each(section, records) {
            let common = plan.common(&at, Self::KIND, r.provenance());
            let name = plan.text::<political_committee::Entity>(
                &at,
                political_committee::Column::Name,
                &r.name,
            );
            if let Some((common, name)) = all_checked!(common, name) {
                rows.political_committee.push(version!(
                    political_committee { name: name },
                    plan.id_of(&r.key),
                    common,
                    plan.recorded
                ));
            }
        }
    }

    fn encode(rows: &Rows, names: &Names) -> Vec<Self> {
        rows.political_committee
            .iter()
            .map(|row: &Model| {
                record!(
                    CommitteeRecord {
                        name: row.name.clone()
                    },
                    row,
                    names,
                    Self::KIND
                )
            })
            .collect()
    }
}
