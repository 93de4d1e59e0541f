-- The audit chain's key (see store::audit). Records numbered `from_seq` and later are hashed with
-- HMAC-SHA-256 under a key kept outside the database; earlier records keep their plain SHA-256
-- hashes and verify as before. Only the key's identifier is stored, never the key, with a tag
-- (an HMAC of the number and the identifier) so the switch-over cannot be moved without the key.
-- Keep in step with ../sqlite/0007_audit_key.sql.
CREATE TABLE audit_key (
    from_seq   BIGINT PRIMARY KEY,
    key_id     TEXT   NOT NULL,
    adopted_at TEXT   NOT NULL,
    tag        TEXT   NOT NULL
);

-- The application's role holds no UPDATE or DELETE on audit_head (see `dangjian pg-grants`).
-- Appending locks the head through this function, which runs with its owner's rights (the
-- database owner who migrates) and does nothing else.
CREATE FUNCTION audit_head_for_append() RETURNS TABLE (seq BIGINT, hash TEXT)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT h.seq, h.hash FROM audit_head h WHERE h.id = 1 FOR UPDATE
$$;
REVOKE ALL ON FUNCTION audit_head_for_append() FROM PUBLIC;

-- The head moves with each appended record, here and only here: a record must follow the head
-- (next number, previous hash), so no writer can append out of order or move the head by itself.
CREATE FUNCTION audit_move_head() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash
     WHERE id = 1 AND seq = NEW.seq - 1 AND hash = NEW.prev_hash;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit record % does not follow the chain head', NEW.seq
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION audit_move_head() FROM PUBLIC;
CREATE TRIGGER audit_log_moves_head AFTER INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_move_head();
