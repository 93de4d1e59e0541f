-- 分类定级: grade schemes and indicator catalogues (versioned, dated data owned by a 组织部),
-- grading cycles with their steps, one entry per organization graded, every assessor's scores,
-- publicity, objections and reviews of final grades.

CREATE TABLE grade_scheme (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES org(id),
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX grade_scheme_org ON grade_scheme(org_id);

CREATE TABLE grade_scheme_version (
    id          INTEGER PRIMARY KEY,
    scheme_id   INTEGER NOT NULL REFERENCES grade_scheme(id),
    valid_from  TEXT    NOT NULL,
    rules       TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE UNIQUE INDEX grade_scheme_version_from ON grade_scheme_version(scheme_id, valid_from);

CREATE TABLE grade_catalogue (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES org(id),
    name        TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX grade_catalogue_org ON grade_catalogue(org_id);

CREATE TABLE grade_catalogue_version (
    id           INTEGER PRIMARY KEY,
    catalogue_id INTEGER NOT NULL REFERENCES grade_catalogue(id),
    valid_from   TEXT    NOT NULL,
    items        TEXT    NOT NULL,
    note         TEXT    NOT NULL DEFAULT '',
    created_by   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL
);
CREATE UNIQUE INDEX grade_catalogue_version_from ON grade_catalogue_version(catalogue_id, valid_from);

CREATE TABLE grade_cycle (
    id                   INTEGER PRIMARY KEY,
    org_id               INTEGER NOT NULL REFERENCES org(id),
    year                 INTEGER NOT NULL,
    title                TEXT    NOT NULL,
    scheme_id            INTEGER NOT NULL REFERENCES grade_scheme(id),
    scheme_version_id    INTEGER NOT NULL REFERENCES grade_scheme_version(id),
    catalogue_version_id INTEGER NOT NULL REFERENCES grade_catalogue_version(id),
    steps                TEXT    NOT NULL,
    warnings             TEXT    NOT NULL DEFAULT '',
    publicity_on         TEXT,
    publicity_end_on     TEXT,
    computed_at          TEXT,
    created_by           TEXT    NOT NULL,
    created_at           TEXT    NOT NULL
);
CREATE UNIQUE INDEX grade_cycle_org_year ON grade_cycle(org_id, year);

CREATE TABLE grade_entry (
    id                    INTEGER PRIMARY KEY,
    cycle_id              INTEGER NOT NULL REFERENCES grade_cycle(id),
    org_id                INTEGER NOT NULL REFERENCES org(id),
    state                 TEXT    NOT NULL,
    step                  INTEGER NOT NULL DEFAULT 0,
    return_reason         TEXT    NOT NULL DEFAULT '',
    satisfaction_permille INTEGER,
    satisfaction_source   TEXT    NOT NULL DEFAULT '',
    computed_milli        INTEGER,
    grade                 TEXT,
    grade_by_score        TEXT,
    lowered_by            TEXT    NOT NULL DEFAULT '',
    lowered_why           TEXT    NOT NULL DEFAULT '',
    warnings              TEXT    NOT NULL DEFAULT '',
    detail                TEXT    NOT NULL DEFAULT '',
    exceptional_reason    TEXT    NOT NULL DEFAULT '',
    is_new                INTEGER NOT NULL DEFAULT 0,
    is_final              INTEGER NOT NULL DEFAULT 0,
    last_grade            TEXT,
    version               INTEGER NOT NULL DEFAULT 1,
    updated_at            TEXT    NOT NULL
);
CREATE UNIQUE INDEX grade_entry_cycle_org ON grade_entry(cycle_id, org_id);
CREATE INDEX grade_entry_org ON grade_entry(org_id);

CREATE TABLE grade_score (
    id            INTEGER PRIMARY KEY,
    entry_id      INTEGER NOT NULL REFERENCES grade_entry(id),
    item          TEXT    NOT NULL,
    assessor_kind TEXT    NOT NULL,
    assessor      TEXT    NOT NULL,
    points_milli  INTEGER NOT NULL,
    note          TEXT    NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX grade_score_one ON grade_score(entry_id, item, assessor);

CREATE TABLE grade_objection (
    id           INTEGER PRIMARY KEY,
    entry_id     INTEGER NOT NULL REFERENCES grade_entry(id),
    raised_by    TEXT,
    is_anonymous INTEGER NOT NULL DEFAULT 0,
    body         TEXT    NOT NULL,
    answer       TEXT    NOT NULL DEFAULT '',
    answered_by  TEXT,
    answered_at  TEXT,
    created_at   TEXT    NOT NULL
);
CREATE INDEX grade_objection_entry ON grade_objection(entry_id);

CREATE TABLE grade_review (
    id          INTEGER PRIMARY KEY,
    entry_id    INTEGER NOT NULL REFERENCES grade_entry(id),
    old_grade   TEXT    NOT NULL,
    new_grade   TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX grade_review_entry ON grade_review(entry_id);
