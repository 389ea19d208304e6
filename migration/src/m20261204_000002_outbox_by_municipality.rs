//! The change feed by municipality: a model's revision is the last entry of its municipality
//! (read by every export and import), found through this index rather than a scan of the feed.

index_migration!(
    "idx_outbox_municipality_code_sequence" on "outbox" ("municipality_code", "sequence")
);
