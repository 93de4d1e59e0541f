-- Notifications that keep what a server holds in memory up to date (see store::listen): on
-- PostgreSQL each server keeps the live sessions and the data generations in its process, so the
-- session check of a page view is not a round trip, and learns of every change, whoever makes it
-- (another server, the command line, a statement typed into psql), from a notification on the
-- channel `dangjian_session`. PostgreSQL sends it when the writing transaction commits, never for
-- one rolled back, and sends identical ones of one transaction once. Payloads:
--   's:<session id>'  a session was deleted, or changed in anything but `last_seen_at` (ended,
--                     promoted, a new expiry): the server drops it and reads it again when used
--   'a:<account id>'  an account changed (disabled, its password, anything) or its grants did:
--                     the server drops the account's sessions
--   'g'               a data generation moved: the server reads the generations again
--   '*'               a table was emptied: the server drops everything
-- Moving `last_seen_at` (a session in use, at most once a minute) sends nothing. SQLite needs none
-- of this (its session check is a read in the process); ../sqlite/0017_session_notify.sql is
-- empty. The schema-agreement test compares tables, columns and indexes, which this leaves alone.

CREATE FUNCTION session_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('dangjian_session', '*');
    ELSE
        PERFORM pg_notify('dangjian_session', 's:' || OLD.id);
    END IF;
    RETURN NULL;
END
$$;
-- every column but last_seen_at, including any added later
CREATE TRIGGER session_notify_update AFTER UPDATE ON session FOR EACH ROW
    WHEN ((to_jsonb(OLD) - 'last_seen_at') IS DISTINCT FROM (to_jsonb(NEW) - 'last_seen_at'))
    EXECUTE FUNCTION session_notify();
CREATE TRIGGER session_notify_delete AFTER DELETE ON session FOR EACH ROW
    EXECUTE FUNCTION session_notify();
CREATE TRIGGER session_notify_truncate AFTER TRUNCATE ON session FOR EACH STATEMENT
    EXECUTE FUNCTION session_notify();

-- the account's id is in the column TG_ARGV[0] (account: id, account_grant: account_id)
CREATE FUNCTION account_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('dangjian_session', '*');
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('dangjian_session', 'a:' || (to_jsonb(OLD) ->> TG_ARGV[0]));
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pg_notify('dangjian_session', 'a:' || (to_jsonb(NEW) ->> TG_ARGV[0]));
    END IF;
    RETURN NULL;
END
$$;
-- a new account has no sessions yet
CREATE TRIGGER account_notify AFTER UPDATE OR DELETE ON account FOR EACH ROW
    EXECUTE FUNCTION account_notify('id');
CREATE TRIGGER account_notify_truncate AFTER TRUNCATE ON account FOR EACH STATEMENT
    EXECUTE FUNCTION account_notify('id');
CREATE TRIGGER account_grant_notify AFTER INSERT OR UPDATE OR DELETE ON account_grant FOR EACH ROW
    EXECUTE FUNCTION account_notify('account_id');
CREATE TRIGGER account_grant_notify_truncate AFTER TRUNCATE ON account_grant FOR EACH STATEMENT
    EXECUTE FUNCTION account_notify('account_id');

-- once per statement that moves a generation (and once per transaction, the payload being the same)
CREATE FUNCTION data_gen_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('dangjian_session', 'g');
    RETURN NULL;
END
$$;
CREATE TRIGGER data_gen_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON data_gen FOR EACH STATEMENT
    EXECUTE FUNCTION data_gen_notify();
