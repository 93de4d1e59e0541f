-- Organization life (三会一课 and the rest) and the compliance engine (issue 4). Keep in step with
-- ../postgres/0005_life.sql: the schema-agreement test compares the two.

-- Local types added by a deployment; the shipped ones are data/rules/life_types.csv.
CREATE TABLE life_type (
    code       TEXT    PRIMARY KEY,
    label      TEXT    NOT NULL UNIQUE,
    roster     TEXT    NOT NULL,
    quorum     TEXT    NOT NULL,
    votes      INTEGER NOT NULL DEFAULT 0,
    lecturer   INTEGER NOT NULL DEFAULT 0,
    sort       INTEGER NOT NULL,
    rule       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);

-- Local versions of frequency rules, each for one organization's subtree (the shipped national
-- versions are data/rules/life.csv); the version of the nearest ancestor wins.
CREATE TABLE life_rule (
    id          INTEGER PRIMARY KEY,
    rule_id     TEXT    NOT NULL,
    type_code   TEXT    NOT NULL,
    applies     TEXT    NOT NULL,
    period      TEXT    NOT NULL,
    min_count   INTEGER NOT NULL,
    org_id      INTEGER NOT NULL REFERENCES org(id),
    valid_from  TEXT    NOT NULL,
    valid_to    TEXT,
    severity    TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    article     TEXT    NOT NULL,
    confidence  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);

-- One meeting or activity. `types` is the comma-joined type codes (a joint 主题党日 + 党员大会
-- counts for both); the counts are computed from the attendance when it is saved; `path` is the
-- organization's path (kept in step by org moves) so subtree reads are one index range.
CREATE TABLE life_record (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES org(id),
    path            TEXT    NOT NULL,
    types           TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    held_on         TEXT    NOT NULL,
    start_time      TEXT,
    end_time        TEXT,
    place           TEXT    NOT NULL,
    host            TEXT    NOT NULL,
    recorder        TEXT    NOT NULL,
    lecturer        TEXT,
    agenda          TEXT,
    minutes         TEXT,
    observers       TEXT,
    expected        INTEGER NOT NULL DEFAULT 0,
    present         INTEGER NOT NULL DEFAULT 0,
    on_leave        INTEGER NOT NULL DEFAULT 0,
    absent          INTEGER NOT NULL DEFAULT 0,
    voters_expected INTEGER NOT NULL DEFAULT 0,
    voters_present  INTEGER NOT NULL DEFAULT 0,
    has_attendance  INTEGER NOT NULL DEFAULT 0,
    quorum_ok       INTEGER,
    status          TEXT    NOT NULL,
    return_reason   TEXT,
    submitted_at    TEXT,
    reviewed_at     TEXT,
    reviewed_by     TEXT,
    created_by      TEXT    NOT NULL,
    created_on      TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
);
CREATE INDEX life_record_path ON life_record(path, held_on);
CREATE INDEX life_record_org ON life_record(org_id, held_on);

CREATE TABLE life_attendance (
    record_id INTEGER NOT NULL REFERENCES life_record(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    name      TEXT    NOT NULL,
    is_voter  INTEGER NOT NULL,
    status    TEXT    NOT NULL,
    reason    TEXT,
    PRIMARY KEY (record_id, member_id)
);

CREATE TABLE life_resolution (
    record_id       INTEGER NOT NULL REFERENCES life_record(id),
    seq             INTEGER NOT NULL,
    text            TEXT    NOT NULL,
    voters_expected INTEGER NOT NULL,
    yes             INTEGER NOT NULL,
    no              INTEGER NOT NULL,
    abstain         INTEGER NOT NULL,
    method          TEXT    NOT NULL,
    passed          INTEGER NOT NULL,
    PRIMARY KEY (record_id, seq)
);

-- Photos and documents, kept in the database so a backup holds them.
CREATE TABLE life_attachment (
    id         INTEGER PRIMARY KEY,
    record_id  INTEGER NOT NULL REFERENCES life_record(id),
    name       TEXT    NOT NULL,
    mime       TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    sha256     TEXT    NOT NULL,
    content    BLOB    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX life_attachment_record ON life_attachment(record_id);

-- Members' moves between organizations, so the roster of an organization on a past date is known.
CREATE TABLE member_move (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES member(id),
    from_org_id INTEGER NOT NULL REFERENCES org(id),
    to_org_id   INTEGER NOT NULL REFERENCES org(id),
    on_date     TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX member_move_from ON member_move(from_org_id, on_date);
CREATE INDEX member_move_member ON member_move(member_id, on_date);

-- 党组成员党建工作分工.
CREATE TABLE party_division (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES org(id),
    member_name TEXT    NOT NULL,
    post        TEXT    NOT NULL,
    duty        TEXT    NOT NULL,
    since       TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX party_division_org ON party_division(org_id);

-- Findings of the daily job, replaced as a whole on each run.
CREATE TABLE life_finding (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES org(id),
    path         TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    rule_id      TEXT    NOT NULL,
    severity     TEXT    NOT NULL,
    type_code    TEXT,
    period_key   TEXT,
    period_label TEXT,
    record_id    INTEGER,
    message      TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    evidence     TEXT    NOT NULL,
    computed_on  TEXT    NOT NULL
);
CREATE INDEX life_finding_path ON life_finding(path, severity);

CREATE TABLE job_run (
    name        TEXT    PRIMARY KEY,
    last_run_on TEXT    NOT NULL,
    took_ms     INTEGER NOT NULL,
    detail      TEXT    NOT NULL
);
