-- 第一书记 and 党建工作指导员: postings with their receiving organizations, the days spent there
-- each month, the work log and the assessments; 支部联系人: a contact (a member) per branch with
-- dates.
-- Keep in step with ../postgres/0023_first_secretary.sql: the schema-agreement test compares the two.

-- A posting: the person (a member when they are one), the sending unit, the kind (village,
-- instructor, firm_leader), the term, the duties (comma-joined codes) and where it stands.
CREATE TABLE fs_posting (
    id           INTEGER PRIMARY KEY,
    member_id    INTEGER REFERENCES member(id),
    name         TEXT    NOT NULL,
    sending_unit TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    starts_on    TEXT    NOT NULL,
    ends_on      TEXT    NOT NULL,
    duties       TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    ended_on     TEXT,
    end_reason   TEXT    NOT NULL DEFAULT '',
    created_by   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX fs_posting_member ON fs_posting(member_id);
CREATE INDEX fs_posting_ends ON fs_posting(status, ends_on);

-- The organizations a posting serves (one village; up to three firms, FS-13).
CREATE TABLE fs_posting_org (
    posting_id INTEGER NOT NULL REFERENCES fs_posting(id),
    org_id     INTEGER NOT NULL REFERENCES org(id),
    PRIMARY KEY (posting_id, org_id)
);
CREATE INDEX fs_posting_org_org ON fs_posting_org(org_id);

-- Days spent there in a month (`month` as YYYY-MM), one row per posting and month.
CREATE TABLE fs_days (
    posting_id  INTEGER NOT NULL REFERENCES fs_posting(id),
    month       TEXT    NOT NULL,
    days        INTEGER NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    recorded_by TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL,
    PRIMARY KEY (posting_id, month)
);

-- The work log: a day, the duty it served (FS-03 / FS-13) and what was done.
CREATE TABLE fs_log (
    id         INTEGER PRIMARY KEY,
    posting_id INTEGER NOT NULL REFERENCES fs_posting(id),
    logged_on  TEXT    NOT NULL,
    duty       TEXT    NOT NULL,
    content    TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX fs_log_posting ON fs_log(posting_id, logged_on);

-- Yearly and end-of-term assessments (FS-12), with the unexcused absences found (FS-09).
CREATE TABLE fs_assessment (
    id          INTEGER PRIMARY KEY,
    posting_id  INTEGER NOT NULL REFERENCES fs_posting(id),
    kind        TEXT    NOT NULL,
    year        INTEGER NOT NULL,
    grade       TEXT    NOT NULL,
    absences    INTEGER NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    assessed_by TEXT    NOT NULL,
    assessed_at TEXT    NOT NULL
);
CREATE UNIQUE INDEX fs_assessment_one ON fs_assessment(posting_id, kind, year);

-- A branch's contact from the superior committee, from a date until a date (open: current).
CREATE TABLE contact_assignment (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES org(id),
    member_id  INTEGER NOT NULL REFERENCES member(id),
    from_on    TEXT    NOT NULL,
    to_on      TEXT,
    note       TEXT    NOT NULL DEFAULT '',
    created_by TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX contact_assignment_org ON contact_assignment(org_id, from_on);
CREATE INDEX contact_assignment_member ON contact_assignment(member_id, from_on);
