//! Writing staff contact details: personal data, so kept minimal (a name, a role title, a work
//! phone and e-mail) and `private` like every new record; only an admin's `setVisibility` shares
//! them.

use chrono::NaiveDate;
use entities::contact;
use sea_orm::ActiveValue::Set;

use super::{
    checks::{checked_email, checked_optional, checked_phone, Origin, Text, Texts},
    Store,
};
use crate::error::{ApiResult, FieldPath};

record_input! {
    /// New contact details of a member of staff.
    new NewContact {
        municipality_code: i32,
    }
    /// Changes to contact details: `None` keeps a field, `Some` sets it (`Some(None)` clears it).
    changes ContactChanges;
    fields {
        unit_id: Option<i32>,
        name: String,
        role_title: String,
        phone: Option<String>,
        email: Option<String>,
    }
}

impl Texts for contact::Entity {
    const TEXTS: &'static [(contact::Column, Text)] = &[
        (contact::Column::Name, Text::Name),
        (contact::Column::RoleTitle, Text::Name),
    ];
}

impl Store {
    /// Creates contact details of the editor's municipality, optionally in one of its units;
    /// `private` until an admin shares them.
    pub async fn create_contact(
        &self,
        new: NewContact,
        at: impl Into<FieldPath>,
    ) -> ApiResult<contact::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let code = new.municipality_code;
        let record = self
            .new_record(at, (code, Some("municipality_code")), &new.version)
            .await?;
        let phone = checked_optional(&field("phone"), new.phone.as_deref(), checked_phone)?;
        let email = checked_optional(&field("email"), new.email.as_deref(), checked_email)?;
        let version = contact::ActiveModel {
            unit_id: Set(new.unit_id),
            name: Set(new.name),
            role_title: Set(new.role_title),
            phone: Set(phone),
            email: Set(email),
            ..Default::default()
        };
        let day = new.version.valid_from;
        self.create::<contact::Entity>(version, record, async || {
            self.check_unit(&field("unit_id"), code, new.unit_id, day)
                .await
        })
        .await
    }

    /// Changes the contact details `id` from `from` on.
    pub async fn update_contact(
        &self,
        id: i32,
        revision: i32,
        from: NaiveDate,
        changes: ContactChanges,
        origin: Origin,
        at: impl Into<FieldPath>,
    ) -> ApiResult<contact::Model> {
        let at: &FieldPath = &at.into();
        let field = |name: &str| at.field(name);
        let code = self.owner_for_edit::<contact::Entity>(id).await?;
        let change = self.change_from(at, from, &origin).await?;
        let phone = changes
            .phone
            .map(|phone| checked_optional(&field("phone"), phone.as_deref(), checked_phone))
            .transpose()?;
        let email = changes
            .email
            .map(|email| checked_optional(&field("email"), email.as_deref(), checked_email))
            .transpose()?;
        let changed = changed!(contact {
            unit_id: changes.unit_id,
            name: changes.name,
            role_title: changes.role_title,
            phone,
            email,
        });
        self.update_from::<contact::Entity>(id, revision, change, changed, async || {
            match changes.unit_id {
                Some(unit) => self.check_unit(&field("unit_id"), code, unit, from).await,
                None => Ok(()),
            }
        })
        .await
    }
}
