-- 创建活动: a campaign an organization issues (服务型、创新型党组织创建, 基层组织建设年, 机关党建, or a
-- kind the 组织部 names), the organizations taking part, its leadership group, documents and
-- funding; its standard (创建标准) as dated versions of weighted indicators, each read from the
-- indicator source registry (domain::campaign::indicator); values organizations report for the
-- reported indicators; and the dispatch rounds (调度) that freeze everyone's standing at a date.
-- Also the demonstration sites (示范点) and training classes (培训班) that indicators count.
--
-- Numbers that may have fractions (targets, reported values) are kept in thousandths as integers
-- (`_milli`), so both backends hold exactly the same value. Money is in whole yuan.
-- Keep in step with ../postgres/0015_campaign.sql: the schema-agreement test compares the two.
CREATE TABLE campaign (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES org(id),
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    kind_label  TEXT    NOT NULL,
    theme       TEXT    NOT NULL DEFAULT '',
    ideas       TEXT    NOT NULL DEFAULT '',
    starts_on   TEXT    NOT NULL,
    ends_on     TEXT    NOT NULL,
    -- participants: 'level' = the organizations `depth` levels below the issuer; 'chosen' = the rows
    -- of campaign_org
    takes_part  TEXT    NOT NULL,
    depth       INTEGER,
    -- how many leaders and laggards a round names
    name_top    INTEGER NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX campaign_org ON campaign(org_id, starts_on);

CREATE TABLE campaign_part (
    campaign_id INTEGER NOT NULL REFERENCES campaign(id),
    org_id      INTEGER NOT NULL REFERENCES org(id),
    PRIMARY KEY (campaign_id, org_id)
);
CREATE INDEX campaign_part_org ON campaign_part(org_id);

-- 领导小组: people with their posts (role leader / deputy / member) and member departments
-- (role department, `post` empty).
CREATE TABLE campaign_leader (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaign(id),
    role        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    post        TEXT    NOT NULL DEFAULT '',
    ord         INTEGER NOT NULL
);
CREATE INDEX campaign_leader_campaign ON campaign_leader(campaign_id, ord);

CREATE TABLE campaign_document (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaign(id),
    title       TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    mime        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    content     BLOB    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX campaign_document_campaign ON campaign_document(campaign_id);

-- Funding put in by an organization in a year for a campaign.
CREATE TABLE campaign_funding (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaign(id),
    org_id      INTEGER NOT NULL REFERENCES org(id),
    year        INTEGER NOT NULL,
    amount_yuan INTEGER NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX campaign_funding_campaign ON campaign_funding(campaign_id, org_id);

-- A version of the campaign's standard, in force from `valid_from`; a round uses the latest
-- version in force on its date, so a change never rewrites a past round.
CREATE TABLE campaign_standard (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaign(id),
    valid_from  TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE UNIQUE INDEX campaign_standard_from ON campaign_standard(campaign_id, valid_from);

CREATE TABLE campaign_indicator (
    id           INTEGER PRIMARY KEY,
    standard_id  INTEGER NOT NULL REFERENCES campaign_standard(id),
    code         TEXT    NOT NULL,
    label        TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    param        TEXT    NOT NULL DEFAULT '',
    weight       INTEGER NOT NULL,
    scoring      TEXT    NOT NULL,
    target_milli INTEGER NOT NULL,
    -- thresholds 'value:share,value:share' in thousandths, for scoring 'steps'
    steps        TEXT    NOT NULL DEFAULT '',
    ord          INTEGER NOT NULL
);
CREATE INDEX campaign_indicator_standard ON campaign_indicator(standard_id, ord);

-- A value an organization reports for a reported indicator, with its evidence; it counts once the
-- superior has accepted it, from `as_on`.
CREATE TABLE indicator_report (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES campaign(id),
    code         TEXT    NOT NULL,
    org_id       INTEGER NOT NULL REFERENCES org(id),
    as_on        TEXT    NOT NULL,
    value_milli  INTEGER NOT NULL,
    evidence     TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    reason       TEXT    NOT NULL DEFAULT '',
    created_by   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    reviewed_by  TEXT,
    reviewed_at  TEXT
);
CREATE INDEX indicator_report_campaign ON indicator_report(campaign_id, code, org_id, as_on);

-- 调度: a round freezes every participant's standing at `as_on`. Its lines are written when it is
-- computed; a draft may be computed again; once published (digest of its inputs and lines kept)
-- neither the round nor its lines can change: the triggers below refuse it, whatever writes.
CREATE TABLE dispatch_round (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER NOT NULL REFERENCES campaign(id),
    seq          INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    as_on        TEXT    NOT NULL,
    standard_id  INTEGER NOT NULL REFERENCES campaign_standard(id),
    status       TEXT    NOT NULL,
    previous_id  INTEGER REFERENCES dispatch_round(id),
    summary      TEXT    NOT NULL DEFAULT '',
    digest       TEXT    NOT NULL DEFAULT '',
    computed_at  TEXT    NOT NULL,
    published_at TEXT,
    published_by TEXT,
    created_by   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL
);
CREATE UNIQUE INDEX dispatch_round_seq ON dispatch_round(campaign_id, seq);

-- One participant's standing in a round: total score (thousandths), rank, the rank in the
-- previous round, and each indicator's value and score (`detail`, JSON).
CREATE TABLE dispatch_line (
    round_id     INTEGER NOT NULL REFERENCES dispatch_round(id),
    org_id       INTEGER NOT NULL REFERENCES org(id),
    org_name     TEXT    NOT NULL,
    org_path     TEXT    NOT NULL,
    rank         INTEGER NOT NULL,
    total_milli  INTEGER NOT NULL,
    previous_rank INTEGER,
    band         TEXT    NOT NULL,
    detail       TEXT    NOT NULL,
    PRIMARY KEY (round_id, org_id)
);
CREATE INDEX dispatch_line_org ON dispatch_line(org_id);

CREATE TRIGGER dispatch_round_frozen BEFORE UPDATE ON dispatch_round WHEN OLD.status = 'published' BEGIN
    SELECT RAISE(ABORT, 'dispatch round is published and cannot change');
END;
CREATE TRIGGER dispatch_round_kept BEFORE DELETE ON dispatch_round WHEN OLD.status = 'published' BEGIN
    SELECT RAISE(ABORT, 'dispatch round is published and cannot change');
END;
CREATE TRIGGER dispatch_line_frozen_update BEFORE UPDATE ON dispatch_line
    WHEN (SELECT status FROM dispatch_round WHERE id = OLD.round_id) = 'published' BEGIN
    SELECT RAISE(ABORT, 'dispatch round is published and cannot change');
END;
CREATE TRIGGER dispatch_line_frozen_delete BEFORE DELETE ON dispatch_line
    WHEN (SELECT status FROM dispatch_round WHERE id = OLD.round_id) = 'published' BEGIN
    SELECT RAISE(ABORT, 'dispatch round is published and cannot change');
END;
CREATE TRIGGER dispatch_line_frozen_insert BEFORE INSERT ON dispatch_line
    WHEN (SELECT status FROM dispatch_round WHERE id = NEW.round_id) = 'published' BEGIN
    SELECT RAISE(ABORT, 'dispatch round is published and cannot change');
END;

-- 现场会 / 观摩会 of a round: sites visited and units that gave exchange speeches (one per line,
-- `speakers` as 'org_id:level:单位' lines), materials and the experience summarised.
CREATE TABLE dispatch_meeting (
    id          INTEGER PRIMARY KEY,
    round_id    INTEGER NOT NULL REFERENCES dispatch_round(id),
    kind        TEXT    NOT NULL,
    held_on     TEXT    NOT NULL,
    place       TEXT    NOT NULL,
    sites       TEXT    NOT NULL DEFAULT '',
    speakers    TEXT    NOT NULL DEFAULT '',
    materials   TEXT    NOT NULL DEFAULT '',
    summary     TEXT    NOT NULL DEFAULT '',
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX dispatch_meeting_round ON dispatch_meeting(round_id);

-- 示范点: an organization named a demonstration site at a level, in a sector, for a feature;
-- `revoked_on` when the title is withdrawn at a review.
CREATE TABLE demo_site (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES org(id),
    campaign_id INTEGER REFERENCES campaign(id),
    level       TEXT    NOT NULL,
    sector      TEXT    NOT NULL,
    feature     TEXT    NOT NULL,
    named_on    TEXT    NOT NULL,
    reviewed_on TEXT,
    revoked_on  TEXT,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX demo_site_org ON demo_site(org_id);

-- 蹲点联系: cadres stationed to guide a site.
CREATE TABLE demo_site_cadre (
    id          INTEGER PRIMARY KEY,
    site_id     INTEGER NOT NULL REFERENCES demo_site(id),
    name        TEXT    NOT NULL,
    post        TEXT    NOT NULL DEFAULT '',
    started_on  TEXT    NOT NULL,
    ended_on    TEXT
);
CREATE INDEX demo_site_cadre_site ON demo_site_cadre(site_id);

-- 培训班: organized by an organization for an audience; trainees are members, with the sessions
-- attended; a trainee completes when the class's completion rule is met.
CREATE TABLE training_class (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES org(id),
    campaign_id INTEGER REFERENCES campaign(id),
    name        TEXT    NOT NULL,
    audience    TEXT    NOT NULL,
    starts_on   TEXT    NOT NULL,
    ends_on     TEXT    NOT NULL,
    sessions    INTEGER NOT NULL,
    place       TEXT    NOT NULL DEFAULT '',
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX training_class_org ON training_class(org_id, ends_on);

CREATE TABLE training_trainee (
    class_id    INTEGER NOT NULL REFERENCES training_class(id),
    member_id   INTEGER NOT NULL REFERENCES member(id),
    attended    INTEGER NOT NULL DEFAULT 0,
    completed   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (class_id, member_id)
);
CREATE INDEX training_trainee_member ON training_trainee(member_id);
