-- 班子成员: the officers of an organization (书记, 副书记, 委员) as members with dates, so who held
-- which post on any past date is known (the 党委（党组）书记's yearly 党课, LIFE-06S; training
-- coverage of secretaries). Ending a term sets `ended_on`; a term is never deleted, so the history
-- stays. `duties` is the 分工 (组织委员, 宣传委员, 纪检委员 …), joined with `、`.
-- Organization life records carry the year they count for (所属年度: a yearly meeting held early
-- in the next year counts for the year it concludes) and the member who gave a 党课.
-- Keep in step with ../postgres/0010_officers.sql: the schema-agreement test compares the two.
CREATE TABLE org_officer (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES org(id),
    member_id  INTEGER NOT NULL REFERENCES member(id),
    role       TEXT    NOT NULL,
    duties     TEXT    NOT NULL DEFAULT '',
    started_on TEXT    NOT NULL,
    ended_on   TEXT,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE INDEX org_officer_org ON org_officer(org_id, started_on);
CREATE INDEX org_officer_member ON org_officer(member_id);

-- Local versions of the window at the start of a year within which a yearly meeting counts for
-- the previous year (the shipped version is data/rules/life_year.csv); the nearest ancestor wins.
CREATE TABLE life_year_window (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES org(id),
    until_md   TEXT    NOT NULL,
    valid_from TEXT    NOT NULL,
    valid_to   TEXT,
    source     TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);

ALTER TABLE life_record ADD COLUMN belongs_to_year INTEGER;
ALTER TABLE life_record ADD COLUMN lecturer_member_id INTEGER REFERENCES member(id);
-- records entered before: the year of the meeting, the previous one for the shipped yearly
-- meetings held up to 03-31 (the shipped window)
UPDATE life_record SET belongs_to_year = CAST(substr(held_on, 1, 4) AS INTEGER)
    - CASE WHEN substr(held_on, 6, 5) <= '03-31'
            AND (',' || types || ',' LIKE '%,life_meeting,%' OR ',' || types || ',' LIKE '%,democratic_review,%'
                 OR ',' || types || ',' LIKE '%,heart_talk,%' OR ',' || types || ',' LIKE '%,democratic_life,%')
           THEN 1 ELSE 0 END;
