-- Every edit carries the version of the record it was made on: a save made on an older version
-- than the stored one is refused (another user changed the record meanwhile) instead of silently
-- reverting that change. Each change of a record's content advances its version.
-- Keep in step with ../sqlite/0009_edit_version.sql: the schema-agreement test compares the two.
ALTER TABLE org ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE member ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE life_record ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
