-- The audit chain's key (see store::audit). Records numbered `from_seq` and later are hashed with
-- HMAC-SHA-256 under a key kept outside the database; earlier records keep their plain SHA-256
-- hashes and verify as before. Only the key's identifier is stored, never the key, with a tag
-- (an HMAC of the number and the identifier) so the switch-over cannot be moved without the key.
-- Keep in step with ../postgres/0007_audit_key.sql.
CREATE TABLE audit_key (
    from_seq   INTEGER PRIMARY KEY,
    key_id     TEXT    NOT NULL,
    adopted_at TEXT    NOT NULL,
    tag        TEXT    NOT NULL
);

-- The head moves with each appended record, here and only here: a record must follow the head
-- (next number, previous hash), so no writer can append out of order or move the head by itself.
CREATE TRIGGER audit_log_moves_head AFTER INSERT ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit record does not follow the chain head')
    WHERE NOT EXISTS (SELECT 1 FROM audit_head WHERE id = 1 AND seq = NEW.seq - 1 AND hash = NEW.prev_hash);
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
END;
