-- The audit trail: every write, hash-chained (see store::audit). Keep in step with
-- ../sqlite/0002_audit.sql. `at` is text (RFC 3339 with its offset) so that the hashed value is
-- exactly the stored one. In production the application's role is granted INSERT and SELECT
-- only on audit_log (see README "PostgreSQL"), so it cannot update or delete audit rows.
CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        TEXT   NOT NULL,
    actor     TEXT   NOT NULL,
    role      TEXT   NOT NULL,
    scope     TEXT   NOT NULL,
    source_ip TEXT,
    action    TEXT   NOT NULL,
    target    TEXT   NOT NULL,
    result    TEXT   NOT NULL,
    detail    TEXT   NOT NULL,
    prev_hash TEXT   NOT NULL,
    hash      TEXT   NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_target ON audit_log(target);

CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY,
    seq  BIGINT NOT NULL,
    hash TEXT   NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
