-- The work a campaign pushes down and gathers up: tasks assigned to organizations (or cascaded:
-- a county splits its share among its townships) with progress reported up with evidence and
-- accepted or returned; innovation lists (创新清单) and updates (创新动态) with the dated rules
-- that find perfunctory lists and late updates; innovation projects through their gates
-- (proposal → approval → implementation → mid-term review → acceptance); secondment nominations
-- (跟岗学习) checked against dated conditions; and organizations' annual and multi-year
-- party-building plans whose targets read the indicator source registry.
--
-- Flags are integers 0/1; numbers with fractions are thousandths (`_milli`).
-- Keep in step with ../postgres/0016_campaign_work.sql: the schema-agreement test compares the two.

-- how often an organization of the campaign reports an innovation update: 'month' or 'quarter'
ALTER TABLE campaign ADD COLUMN update_cadence TEXT NOT NULL DEFAULT 'quarter';

CREATE TABLE campaign_task (
    id            INTEGER PRIMARY KEY,
    campaign_id   INTEGER NOT NULL REFERENCES campaign(id),
    org_id        INTEGER NOT NULL REFERENCES org(id),
    -- a task cascaded from an assignment of a superior's task (the share split further down)
    parent_assignment_id INTEGER,
    content       TEXT    NOT NULL,
    -- quantified: a number in `unit`; else a yes/no deliverable
    target_milli  INTEGER,
    unit          TEXT    NOT NULL DEFAULT '',
    due_on      TEXT    NOT NULL,
    measures      TEXT    NOT NULL DEFAULT '',
    responsible   TEXT    NOT NULL DEFAULT '',
    created_by    TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);
CREATE INDEX campaign_task_campaign ON campaign_task(campaign_id, due_on);
CREATE INDEX campaign_task_parent ON campaign_task(parent_assignment_id);

-- one organization's share of a task: status 'open', 'reported' (waiting for acceptance),
-- 'accepted' or 'returned'; `progress_milli` the accepted progress so far
CREATE TABLE task_assignment (
    id             INTEGER PRIMARY KEY,
    task_id        INTEGER NOT NULL REFERENCES campaign_task(id),
    org_id         INTEGER NOT NULL REFERENCES org(id),
    share_milli    INTEGER,
    status         TEXT    NOT NULL,
    progress_milli INTEGER NOT NULL DEFAULT 0,
    done           INTEGER NOT NULL DEFAULT 0,
    done_on        TEXT,
    updated_at     TEXT    NOT NULL
);
CREATE UNIQUE INDEX task_assignment_one ON task_assignment(task_id, org_id);
CREATE INDEX task_assignment_org ON task_assignment(org_id, status);

CREATE TABLE task_report (
    id            INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES task_assignment(id),
    value_milli   INTEGER,
    done          INTEGER NOT NULL DEFAULT 0,
    note          TEXT    NOT NULL,
    decision      TEXT    NOT NULL DEFAULT '',
    reason        TEXT    NOT NULL DEFAULT '',
    created_by    TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    decided_by    TEXT,
    decided_at    TEXT
);
CREATE INDEX task_report_assignment ON task_report(assignment_id, created_at);

-- the evidence of a report (photos, documents), kept in the database so a backup holds them
CREATE TABLE task_evidence (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES task_report(id),
    name        TEXT    NOT NULL,
    mime        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    content     BLOB    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX task_evidence_report ON task_evidence(report_id);

-- 创新清单: an organization's list for a year, its items with goal, measures, owner and
-- milestones (one a line: `2026-06-30 完成试点`)
CREATE TABLE innovation_list (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES campaign(id),
    org_id       INTEGER NOT NULL REFERENCES org(id),
    year         INTEGER NOT NULL,
    submitted_on TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE UNIQUE INDEX innovation_list_one ON innovation_list(campaign_id, org_id, year);

CREATE TABLE innovation_item (
    id          INTEGER PRIMARY KEY,
    list_id     INTEGER NOT NULL REFERENCES innovation_list(id),
    title       TEXT    NOT NULL,
    goal        TEXT    NOT NULL DEFAULT '',
    measures    TEXT    NOT NULL DEFAULT '',
    owner       TEXT    NOT NULL DEFAULT '',
    milestones  TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL,
    ord         INTEGER NOT NULL
);
CREATE INDEX innovation_item_list ON innovation_item(list_id, ord);

-- 创新动态: an update for a period of the campaign's cadence ('2026-03' a month, '2026-Q1' a quarter)
CREATE TABLE innovation_update (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaign(id),
    org_id      INTEGER NOT NULL REFERENCES org(id),
    period      TEXT    NOT NULL,
    reported_on TEXT    NOT NULL,
    content     TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX innovation_update_org ON innovation_update(campaign_id, org_id, period);

-- local versions of the innovation rules a 组织部 sets for its subtree (the shipped preset is
-- data/rules/innovation.csv); the nearest ancestor's version in force wins
CREATE TABLE innovation_rule (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES org(id),
    rule_id     TEXT    NOT NULL,
    value       INTEGER NOT NULL,
    valid_from  TEXT    NOT NULL,
    valid_to    TEXT,
    source      TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX innovation_rule_org ON innovation_rule(org_id, rule_id, valid_from);

-- 项目化管理: a project passes its gates in order; `stage` is where it stands
CREATE TABLE innovation_project (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaign(id),
    org_id      INTEGER NOT NULL REFERENCES org(id),
    title       TEXT    NOT NULL,
    summary     TEXT    NOT NULL DEFAULT '',
    stage       TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX innovation_project_campaign ON innovation_project(campaign_id, org_id);

CREATE TABLE project_gate (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES innovation_project(id),
    gate        TEXT    NOT NULL,
    reviewers   TEXT    NOT NULL,
    score       INTEGER NOT NULL,
    passed      INTEGER NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    decided_on  TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX project_gate_project ON project_gate(project_id, decided_on);

-- 跟岗学习: a unit nominates a member for a period; the checks of the conditions in force when it
-- is reviewed are kept with the decision (`failures`, one a line)
CREATE TABLE secondment_nomination (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER REFERENCES campaign(id),
    org_id       INTEGER NOT NULL REFERENCES org(id),
    member_id    INTEGER NOT NULL REFERENCES member(id),
    category     TEXT    NOT NULL,
    party_post   INTEGER NOT NULL,
    full_time    INTEGER NOT NULL,
    writing      INTEGER NOT NULL,
    starts_on    TEXT    NOT NULL,
    ends_on      TEXT    NOT NULL,
    host_unit    TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL,
    failures     TEXT    NOT NULL DEFAULT '',
    reason       TEXT    NOT NULL DEFAULT '',
    created_by   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    decided_by   TEXT,
    decided_at   TEXT
);
CREATE INDEX secondment_nomination_org ON secondment_nomination(org_id, status);

-- an organization's annual (`annual`) or multi-year (`multi_year`) party-building plan; its
-- targets read a registry source (so progress is computed), its milestones are dated
CREATE TABLE party_plan (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES org(id),
    kind        TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    from_year   INTEGER NOT NULL,
    to_year     INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    reviewed_by TEXT,
    reviewed_at TEXT,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX party_plan_org ON party_plan(org_id, from_year);

CREATE TABLE plan_target (
    id           INTEGER PRIMARY KEY,
    plan_id      INTEGER NOT NULL REFERENCES party_plan(id),
    label        TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    param        TEXT    NOT NULL DEFAULT '',
    target_milli INTEGER NOT NULL,
    due_on       TEXT    NOT NULL,
    measures     TEXT    NOT NULL DEFAULT '',
    responsible  TEXT    NOT NULL DEFAULT '',
    ord          INTEGER NOT NULL
);
CREATE INDEX plan_target_plan ON plan_target(plan_id, ord);

CREATE TABLE plan_milestone (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES party_plan(id),
    due_on      TEXT    NOT NULL,
    content     TEXT    NOT NULL,
    done_on     TEXT
);
CREATE INDEX plan_milestone_plan ON plan_milestone(plan_id, due_on);
