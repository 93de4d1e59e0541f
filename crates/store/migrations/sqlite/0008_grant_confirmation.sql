-- Two people for every business grant (separation of duties, GB/T 22239-2019 8.1.4.2 and
-- 8.1.5): a 安全管理员 proposes a business role on an organization for an account he did not
-- create, and it takes effect only when a business officer (组织部管理员 or 党组织管理员 holding a
-- grant on that organization or above) confirms it. Until then it is a request here, and counts for
-- nothing: account_grant keeps holding only the grants in effect, so every place that reads grants
-- (sign-in, sessions, the scope, the caller's context) sees confirmed grants only. See
-- store::account::requests. Keep in step with ../postgres/0008_grant_confirmation.sql: the
-- schema-agreement test compares the two.

-- who created the account (NULL: created at the command line on the server, or by the demo)
ALTER TABLE account ADD COLUMN created_by INTEGER REFERENCES account(id);

CREATE TABLE grant_request (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES account(id),
    role        TEXT    NOT NULL,
    -- the organization of a role granted on one (NULL for 党员: their linked member's branch)
    org_id      INTEGER REFERENCES org(id),
    -- pending, confirmed, rejected, withdrawn
    status      TEXT    NOT NULL,
    proposed_by INTEGER NOT NULL REFERENCES account(id),
    proposed_at TEXT    NOT NULL,
    decided_by  INTEGER REFERENCES account(id),
    decided_at  TEXT,
    -- why it was rejected or withdrawn
    reason      TEXT
);
-- at most one open request for the same role on the same organization of an account
CREATE UNIQUE INDEX grant_request_open ON grant_request(account_id, role, COALESCE(org_id, 0)) WHERE status = 'pending';
CREATE INDEX grant_request_status ON grant_request(status, account_id);

-- the confirmed request a grant came from (NULL: made at the command line on the server, or by the
-- demo, the only ways to make a grant without a second person)
ALTER TABLE account_grant ADD COLUMN request_id INTEGER REFERENCES grant_request(id);
