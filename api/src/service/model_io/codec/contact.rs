//! `[[contact]]`: staff contact details (personal data, `private` unless the document says).

use entities::{
    contact::{self, Model},
    kinds::Kind,
};

use super::{each, Section};
use crate::{
    error::FieldPath,
    service::{
        checks::{checked_email, checked_optional, checked_phone},
        model_io::{document::*, export::Names, import_plan::ImportPlan, rows::Rows},
    },
};

tenant_record! {
/// Staff contact details: personal data, always stored `private`.
pub struct ContactRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub name: String,
    pub role_title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}
}

impl Section for ContactRecord {
    const KIND: Kind = Kind::Contact;

    fn decode(plan: &mut ImportPlan, section: &FieldPath, records: &[Self], rows: &mut Rows) {
        for (at, r) in each(section, records) {
            let common = plan.common(&at, Self::KIND, r.provenance());
            let name = plan.text::<contact::Entity>(&at, contact::Column::Name, &r.name);
            let role_title =
                plan.text::<contact::Entity>(&at, contact::Column::RoleTitle, &r.role_title);
            let phone = plan.check(checked_optional(
                &at.field("phone"),
                r.phone.as_deref(),
                checked_phone,
            ));
            let email = plan.check(checked_optional(
                &at.field("email"),
                r.email.as_deref(),
                checked_email,
            ));
            let unit = plan.reference(
                &at.field("unit"),
                Kind::Unit,
                r.unit.as_deref(),
                r.valid_from,
            );
            if let Some((common, name, role_title, phone, email, unit)) =
                all_checked!(common, name, role_title, phone, email, unit)
            {
                rows.contact.push(version!(
                    contact {
                        unit_id: unit,
                        name: name,
                        role_title: role_title,
                        phone: phone,
                        email: email,
                    },
                    plan.id_of(&r.key),
                    common,
                    plan.recorded
                ));
            }
        }
    }

    fn encode(rows: &Rows, names: &Names) -> Vec<Self> {
        rows.contact
            .iter()
            .map(|row: &Model| {
                record!(
                    ContactRecord {
                        unit: names.record_opt(row.unit_id),
                        name: row.name.clone(),
                        role_title: row.role_title.clone(),
                        phone: row.phone.clone(),
                        email: row.email.clone(),
                    },
                    row,
                    names,
                    Self::KIND
                )
            })
            .collect()
    }
}
