-- Import jobs of the web import (see store::import_job): an uploaded file kept between its dry
-- run and its commit, visible to the uploading account only, inside its scope. Keep in step with
-- ../postgres/0004_import_jobs.sql: the schema-agreement test compares the two.

CREATE TABLE import_job (
    id             INTEGER PRIMARY KEY,
    -- the uploading account: nobody else sees the job
    account_id     INTEGER NOT NULL REFERENCES account(id),
    -- the import target: rows without an organization go here; the job is out of sight when the
    -- account's scope no longer covers it
    org_id         INTEGER NOT NULL REFERENCES org(id),
    file_name      TEXT    NOT NULL,
    file_size      INTEGER NOT NULL,
    -- the uploaded file as it was sent
    content        BLOB    NOT NULL,
    is_strict      INTEGER NOT NULL DEFAULT 0,
    -- members or orgs, as the dry run detected it
    kind           TEXT    NOT NULL,
    -- the dry run's report (exchange::ImportReport as JSON)
    report         TEXT    NOT NULL,
    -- the bad rows as an .xlsx error workbook, when there are any
    error_workbook BLOB,
    -- draft (dry run done), committing (the import is running), committed
    state          TEXT    NOT NULL,
    -- the real import's report (JSON), once committed
    result         TEXT,
    created_at     TEXT    NOT NULL,
    committed_at   TEXT
);
CREATE INDEX import_job_account ON import_job(account_id, id);
CREATE INDEX import_job_org ON import_job(org_id);
