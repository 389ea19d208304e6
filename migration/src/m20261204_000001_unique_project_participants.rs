//! A municipality takes part in a shared project once: a unique index on the participant pair
//! (project, municipality), which the mutations and the import check before they write.

index_migration!(
    "uq_project_participants_project_id_participant_code"
        on "project_participants" ("project_id", "participant_code") unique
);
