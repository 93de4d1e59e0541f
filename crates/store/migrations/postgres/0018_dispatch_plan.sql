-- A dispatch round also freezes where each participant stands against its own party-building
-- plans (党建规划) on the round's date: every approved plan covering the round's year, how many of
-- its targets the registry measured as reached, and how many are past their date unreached. Kept
-- with the round, so the report shows the standing as it was, and frozen with it once published.
CREATE TABLE dispatch_plan (
    round_id   BIGINT NOT NULL REFERENCES dispatch_round(id),
    org_id     BIGINT NOT NULL REFERENCES org(id),
    plan_id    BIGINT NOT NULL REFERENCES party_plan(id),
    kind       TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    from_year  BIGINT NOT NULL,
    to_year    BIGINT NOT NULL,
    targets    BIGINT NOT NULL,
    reached    BIGINT NOT NULL,
    overdue    BIGINT NOT NULL,
    PRIMARY KEY (round_id, plan_id)
);
CREATE INDEX dispatch_plan_org ON dispatch_plan(round_id, org_id);

CREATE TRIGGER dispatch_plan_frozen BEFORE INSERT OR UPDATE OR DELETE ON dispatch_plan
    FOR EACH ROW EXECUTE FUNCTION dispatch_frozen();
