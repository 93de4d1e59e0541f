-- Nothing on SQLite. On PostgreSQL this migration adds triggers that notify every server of a
-- change to a session, an account or a data generation, so that each can keep live sessions and
-- the generations in memory (see store::listen and ../postgres/0017_session_notify.sql). On SQLite
-- the session check reads the file in the server's own process on every page view, which sees a
-- change by any process at once and costs no round trip: there is nothing to keep and nothing to
-- tell. Kept as a file so that both backends number their migrations alike.
SELECT 1;
