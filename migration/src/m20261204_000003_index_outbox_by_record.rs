//! The change feed's entries by record: a write narrows who may read the record's earlier entries
//! to who may see the record now (see `service::writes`), which finds them through this index.

index_migration!("outbox_by_record" on "outbox" ("record_id", "kind"));
