-- 软弱涣散基层党组织: identification against a versioned criteria list, the life cycle to 销号
-- (WEAK-05), the rectification plan item by item (一村一策), the WEAK-06 links and what the
-- daily sweep finds (overdue items, missing links).
-- Keep in step with ../postgres/0021_weak_and_lax.sql: the schema-agreement test compares the two.

-- Local criteria of a 组织部 (the national ten of WEAK-01 are shipped in the code); a criterion
-- is in force from `valid_from` until `valid_to` (retired), for the organization's subtree.
CREATE TABLE weak_criterion (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES org(id),
    code       TEXT    NOT NULL,
    label      TEXT    NOT NULL,
    valid_from TEXT    NOT NULL,
    valid_to   TEXT,
    created_by TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX weak_criterion_org ON weak_criterion(org_id, valid_from);

-- Dated versions of the numbers the proposals and 跟踪问效 use; the nearest ancestor's version
-- in force wins, the shipped defaults otherwise.
CREATE TABLE weak_setting (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES org(id),
    no_life_months INTEGER NOT NULL,
    vacancy_months INTEGER NOT NULL,
    monitor_months INTEGER NOT NULL,
    valid_from     TEXT    NOT NULL,
    created_by     TEXT    NOT NULL,
    created_at     TEXT    NOT NULL
);
CREATE INDEX weak_setting_org ON weak_setting(org_id, valid_from);

-- One identification of an organization in a year and where it stands.
CREATE TABLE weak_org (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES org(id),
    year            INTEGER NOT NULL,
    state           TEXT    NOT NULL,
    origin          TEXT    NOT NULL,
    reason          TEXT    NOT NULL DEFAULT '',
    decision_ref    TEXT    NOT NULL DEFAULT '',
    confirmed_on    TEXT,
    accepted_on     TEXT,
    monitor_ends_on   TEXT,
    closed_on       TEXT,
    last_on         TEXT    NOT NULL,
    county_leader   TEXT    NOT NULL DEFAULT '',
    township_leader TEXT    NOT NULL DEFAULT '',
    paired_dept     TEXT    NOT NULL DEFAULT '',
    created_by      TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX weak_org_org ON weak_org(org_id, year);
CREATE INDEX weak_org_state ON weak_org(state, year);

-- The criteria ticked for an identification, with the facts (the wording kept as it was).
CREATE TABLE weak_tick (
    weak_id  INTEGER NOT NULL REFERENCES weak_org(id),
    code     TEXT    NOT NULL,
    label    TEXT    NOT NULL,
    evidence TEXT    NOT NULL,
    PRIMARY KEY (weak_id, code)
);

-- Every step of the life cycle: who, when, on what date, with what reference or reason.
CREATE TABLE weak_event (
    id           INTEGER PRIMARY KEY,
    weak_id      INTEGER NOT NULL REFERENCES weak_org(id),
    action       TEXT    NOT NULL,
    from_state   TEXT    NOT NULL,
    to_state     TEXT    NOT NULL,
    effective_on      TEXT    NOT NULL,
    decision_ref TEXT    NOT NULL DEFAULT '',
    note         TEXT    NOT NULL DEFAULT '',
    done_by      TEXT    NOT NULL,
    done_at      TEXT    NOT NULL
);
CREATE INDEX weak_event_weak ON weak_event(weak_id, id);

-- The rectification plan's items: problem, measure, owner, due date; reported done with evidence
-- by the organization, accepted or returned with a reason by the superior.
CREATE TABLE weak_item (
    id            INTEGER PRIMARY KEY,
    weak_id       INTEGER NOT NULL REFERENCES weak_org(id),
    problem       TEXT    NOT NULL,
    measure       TEXT    NOT NULL,
    owner         TEXT    NOT NULL,
    due_on        TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    evidence      TEXT    NOT NULL DEFAULT '',
    return_reason TEXT    NOT NULL DEFAULT '',
    reported_by   TEXT,
    reported_on   TEXT,
    decided_by    TEXT,
    decided_on    TEXT,
    overdue_noted_on TEXT,
    created_by    TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);
CREATE INDEX weak_item_weak ON weak_item(weak_id, due_on);

-- What the daily sweep found (an item overdue, a WEAK-06 link missing); one row per finding,
-- replaced by each sweep of the subtree.
CREATE TABLE weak_finding (
    id          INTEGER PRIMARY KEY,
    weak_id     INTEGER NOT NULL REFERENCES weak_org(id),
    org_id      INTEGER NOT NULL REFERENCES org(id),
    path        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    item_id     INTEGER,
    message     TEXT    NOT NULL,
    computed_on TEXT    NOT NULL
);
CREATE INDEX weak_finding_path ON weak_finding(path, kind);
