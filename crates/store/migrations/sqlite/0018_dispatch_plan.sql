-- A dispatch round also freezes where each participant stands against its own party-building
-- plans (党建规划) on the round's date: every approved plan covering the round's year, how many of
-- its targets the registry measured as reached, and how many are past their date unreached. Kept
-- with the round, so the report shows the standing as it was, and frozen with it once published.
CREATE TABLE dispatch_plan (
    round_id   INTEGER NOT NULL REFERENCES dispatch_round(id),
    org_id     INTEGER NOT NULL REFERENCES org(id),
    plan_id    INTEGER NOT NULL REFERENCES party_plan(id),
    kind       TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    from_year  INTEGER NOT NULL,
    to_year    INTEGER NOT NULL,
    targets    INTEGER NOT NULL,
    reached    INTEGER NOT NULL,
    overdue    INTEGER NOT NULL,
    PRIMARY KEY (round_id, plan_id)
);
CREATE INDEX dispatch_plan_org ON dispatch_plan(round_id, org_id);

CREATE TRIGGER dispatch_plan_frozen_update BEFORE UPDATE ON dispatch_plan
    WHEN (SELECT status FROM dispatch_round WHERE id = OLD.round_id) = 'published' BEGIN
    SELECT RAISE(ABORT, 'dispatch round is published and cannot change');
END;
CREATE TRIGGER dispatch_plan_frozen_delete BEFORE DELETE ON dispatch_plan
    WHEN (SELECT status FROM dispatch_round WHERE id = OLD.round_id) = 'published' BEGIN
    SELECT RAISE(ABORT, 'dispatch round is published and cannot change');
END;
CREATE TRIGGER dispatch_plan_frozen_insert BEFORE INSERT ON dispatch_plan
    WHEN (SELECT status FROM dispatch_round WHERE id = NEW.round_id) = 'published' BEGIN
    SELECT RAISE(ABORT, 'dispatch round is published and cannot change');
END;
