-- dangjian foundation schema (SQLite). Keep in step with ../postgres/0001_foundation.sql:
-- the schema-agreement test compares the two.

CREATE TABLE org (
    id            INTEGER PRIMARY KEY,
    parent_id     INTEGER REFERENCES org(id),
    -- materialized path: fixed-width base-36 segments, compared bytewise (see domain::path)
    path          TEXT    NOT NULL UNIQUE,
    next_child    INTEGER NOT NULL DEFAULT 0,
    name          TEXT    NOT NULL,
    short_name    TEXT,
    kind          TEXT    NOT NULL,
    sector        TEXT    NOT NULL,
    region_code   TEXT,
    formed_by     TEXT    NOT NULL,
    founded_on    TEXT,
    has_committee INTEGER NOT NULL DEFAULT 0,
    term_number   INTEGER,
    term_start    TEXT,
    term_end      TEXT,
    secretary     TEXT,
    contact_phone TEXT,
    address       TEXT,
    annual_funds  INTEGER,
    dissolved_on  TEXT,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE INDEX org_parent ON org(parent_id, name);
CREATE INDEX org_name ON org(name);

CREATE TABLE org_facility (
    org_id INTEGER NOT NULL REFERENCES org(id),
    kind   TEXT    NOT NULL,
    status TEXT    NOT NULL,
    year   INTEGER,
    PRIMARY KEY (org_id, kind)
);

CREATE TABLE member (
    id                  INTEGER PRIMARY KEY,
    org_id              INTEGER NOT NULL REFERENCES org(id),
    path                TEXT    NOT NULL,
    name                TEXT    NOT NULL,
    sex                 TEXT    NOT NULL,
    id_number           TEXT    NOT NULL,
    ethnicity           TEXT    NOT NULL,
    birth_date          TEXT    NOT NULL,
    education           TEXT,
    category            TEXT    NOT NULL,
    join_date           TEXT    NOT NULL,
    full_date           TEXT,
    job_post            TEXT,
    phone               TEXT,
    work_unit           TEXT,
    residence_community TEXT,
    occupation          TEXT,
    is_mobile           INTEGER NOT NULL DEFAULT 0,
    mobile_to           TEXT,
    is_lost_contact     INTEGER NOT NULL DEFAULT 0,
    is_needy            INTEGER NOT NULL DEFAULT 0,
    status              TEXT    NOT NULL,
    status_date         TEXT,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);
-- an ID number is unique among current members; former members keep their history
CREATE UNIQUE INDEX member_id_number_current ON member(id_number) WHERE status = 'normal';
CREATE INDEX member_id_number ON member(id_number);
CREATE INDEX member_path ON member(path, id);
-- no index on org_id or name: members of one organization share its path (member_path serves
-- them), name search is a substring match inside a path range, and every extra index makes
-- subtree moves (which rewrite member paths) slower

-- subtree roll-up per organization: current members of the whole subtree, maintained on every
-- change (see store::stats), verified against a full recompute by `dangjian stats verify`
CREATE TABLE org_stats (
    org_id       INTEGER PRIMARY KEY REFERENCES org(id),
    path         TEXT    NOT NULL UNIQUE,
    total        INTEGER NOT NULL DEFAULT 0,
    full_members INTEGER NOT NULL DEFAULT 0,
    probationary INTEGER NOT NULL DEFAULT 0,
    female       INTEGER NOT NULL DEFAULT 0,
    minority     INTEGER NOT NULL DEFAULT 0,
    college_plus INTEGER NOT NULL DEFAULT 0,
    mobile       INTEGER NOT NULL DEFAULT 0,
    lost_contact INTEGER NOT NULL DEFAULT 0,
    needy        INTEGER NOT NULL DEFAULT 0
);
