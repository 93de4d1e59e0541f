-- Accounts, role grants, sessions, login throttling, two-factor sign-in and API tokens (see
-- store::account). Keep in step with ../postgres/0003_accounts.sql: the schema-agreement test
-- compares the two.

CREATE TABLE account (
    id                     INTEGER PRIMARY KEY,
    -- lower case, 3-32 of [a-z0-9_.-] (domain::account::check_username)
    username               TEXT    NOT NULL UNIQUE,
    display_name           TEXT    NOT NULL,
    -- Argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash)
    password_hash          TEXT    NOT NULL,
    member_id              INTEGER REFERENCES member(id),
    is_disabled            INTEGER NOT NULL DEFAULT 0,
    -- an initial or reset password: the user must choose their own at the next sign-in
    has_temporary_password INTEGER NOT NULL DEFAULT 0,
    password_changed_at    TEXT    NOT NULL,
    -- base32 TOTP secret: set by enrolment, in use once has_totp is set. Stored as it is; a
    -- deployment that needs it encrypted at rest should encrypt the database volume (or this
    -- column with a key held outside the database).
    totp_secret            TEXT,
    -- the last accepted TOTP time step, so a code cannot be used twice (RFC 6238 5.2)
    totp_last_step         INTEGER,
    has_totp               INTEGER NOT NULL DEFAULT 0,
    created_at             TEXT    NOT NULL,
    updated_at             TEXT    NOT NULL
);
-- one account per member
CREATE UNIQUE INDEX account_member ON account(member_id);

-- role grants; business roles carry the organization whose subtree they cover
CREATE TABLE account_grant (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(id),
    role       TEXT    NOT NULL,
    org_id     INTEGER REFERENCES org(id),
    created_at TEXT    NOT NULL
);
CREATE UNIQUE INDEX account_grant_once ON account_grant(account_id, role, COALESCE(org_id, 0));
CREATE INDEX account_grant_org ON account_grant(org_id);

-- single-use recovery codes, SHA-256 of the account id and the code
CREATE TABLE recovery_code (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(id),
    code_hash  TEXT    NOT NULL,
    used_at    TEXT,
    created_at TEXT    NOT NULL
);
CREATE INDEX recovery_code_account ON recovery_code(account_id);

-- server-side sessions; id is the SHA-256 (hex) of the token in the cookie
CREATE TABLE session (
    id              TEXT    NOT NULL PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES account(id),
    created_at      TEXT    NOT NULL,
    last_seen_at    TEXT    NOT NULL,
    -- absolute end (12 h after sign-in by default)
    expires_at      TEXT    NOT NULL,
    csrf_token      TEXT    NOT NULL,
    ip              TEXT,
    user_agent      TEXT,
    ended_at        TEXT,
    -- the password was right, the second factor is still to come
    is_totp_pending INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX session_account ON session(account_id);

-- every sign-in attempt, by lower-cased username (also for names with no account), for lockout
CREATE TABLE login_attempt (
    id           INTEGER PRIMARY KEY,
    username_key TEXT    NOT NULL,
    attempted_at TEXT    NOT NULL,
    ip           TEXT,
    is_success   INTEGER NOT NULL DEFAULT 0,
    -- ok, password_ok (second factor pending), invalid, locked, disabled, second_factor_ok,
    -- second_factor_invalid
    outcome      TEXT    NOT NULL
);
CREATE INDEX login_attempt_user ON login_attempt(username_key, attempted_at);

-- API tokens: `dj_` and 40 random characters, stored as SHA-256 (hex)
CREATE TABLE api_token (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES account(id),
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   TEXT    NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_token_account ON api_token(account_id);
