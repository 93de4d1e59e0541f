-- 消息: the in-app message centre. A message is stored for an event that happened once and that
-- its recipients must learn of (a record returned to its organization, a record submitted for
-- review); what can be read from the present state (meetings falling due, terms ending, the daily
-- job's findings) is computed when the page is viewed and never stored here.
--
-- One row per recipient account, so "read" is a column and the top bar's unread count is one
-- range of the partial index below. The organization a message is about is kept by id (its path
-- is read through `org` when the message is read, so a moved subtree keeps its messages in the
-- reader's scope); `audience` names the permission the recipient must still hold there to see it.
-- `delivered_at` is set when a sending channel (mail) has passed the message on.
-- Keep in step with ../postgres/0011_messages.sql: the schema-agreement test compares the two.
CREATE TABLE message (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES account(id),
    org_id       INTEGER NOT NULL REFERENCES org(id),
    kind         TEXT    NOT NULL,
    audience     TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    link         TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    read_at      TEXT,
    delivered_at TEXT
);
CREATE INDEX message_inbox ON message(account_id, created_at);
CREATE INDEX message_unread ON message(account_id) WHERE read_at IS NULL;
CREATE INDEX message_subject ON message(subject, kind);
