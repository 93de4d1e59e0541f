-- The audit trail: every write, hash-chained (see store::audit). Keep in step with
-- ../postgres/0002_audit.sql.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    role      TEXT    NOT NULL,
    scope     TEXT    NOT NULL,
    source_ip TEXT,
    action    TEXT    NOT NULL,
    target    TEXT    NOT NULL,
    result    TEXT    NOT NULL,
    detail    TEXT    NOT NULL,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_target ON audit_log(target);

-- the chain's head, one row: appending locks it, so records get consecutive numbers
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY,
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
