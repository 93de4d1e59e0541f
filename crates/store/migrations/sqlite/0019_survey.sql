-- 测评: a questionnaire issued by an organization over its subtree for a window of dates, to
-- members, residents or both. The questionnaire is kept with the survey as issued (JSON), so an
-- answer is always read against the items it answered. Targets are the organizations evaluated,
-- each with the resident base its issuer entered (none: coverage of residents is not claimed).
CREATE TABLE survey (
    id                INTEGER PRIMARY KEY,
    org_id            INTEGER NOT NULL REFERENCES org(id),
    title             TEXT    NOT NULL,
    questionnaire     TEXT    NOT NULL,
    audience          TEXT    NOT NULL,
    opens_on          TEXT    NOT NULL,
    closes_on         TEXT    NOT NULL,
    member_permille   INTEGER NOT NULL,
    resident_permille INTEGER NOT NULL,
    created_by        TEXT    NOT NULL,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX survey_org ON survey(org_id, opens_on);

CREATE TABLE survey_target (
    survey_id     INTEGER NOT NULL REFERENCES survey(id),
    org_id        INTEGER NOT NULL REFERENCES org(id),
    resident_base INTEGER,
    base_kind     TEXT,
    PRIMARY KEY (survey_id, org_id)
);
CREATE INDEX survey_target_org ON survey_target(org_id);

-- One-time answer codes for residents, printed per target organization. Only a keyed hash of the
-- code is kept (HMAC under the audit key, which lives outside the database): whoever reads the
-- database cannot recover or reuse a code.
CREATE TABLE survey_code (
    id         INTEGER PRIMARY KEY,
    survey_id  INTEGER NOT NULL REFERENCES survey(id),
    org_id     INTEGER NOT NULL REFERENCES org(id),
    code_hash  TEXT    NOT NULL,
    batch      INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    used_at    TEXT
);
CREATE UNIQUE INDEX survey_code_hash ON survey_code(code_hash);
CREATE INDEX survey_code_survey ON survey_code(survey_id, org_id);

-- An answer, attributed to one target; a member answers a survey once, a code is used once.
CREATE TABLE survey_answer (
    id          INTEGER PRIMARY KEY,
    survey_id   INTEGER NOT NULL REFERENCES survey(id),
    org_id      INTEGER NOT NULL REFERENCES org(id),
    respondent  TEXT    NOT NULL,
    member_id   INTEGER REFERENCES member(id),
    code_id     INTEGER REFERENCES survey_code(id),
    answered_at TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    personal    TEXT    NOT NULL DEFAULT '',
    satisfied   INTEGER NOT NULL,
    counted     INTEGER NOT NULL
);
CREATE INDEX survey_answer_target ON survey_answer(survey_id, org_id);
CREATE UNIQUE INDEX survey_answer_member ON survey_answer(survey_id, member_id) WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX survey_answer_code ON survey_answer(code_id) WHERE code_id IS NOT NULL;
