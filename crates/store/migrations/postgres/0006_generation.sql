-- Data generations (see store::generation). Keep in step with ../sqlite/0006_generation.sql: the
-- schema-agreement test compares the two; the comments there explain the table.
CREATE TABLE data_gen (
    topic TEXT   PRIMARY KEY,
    n     BIGINT NOT NULL
);
INSERT INTO data_gen (topic, n) VALUES ('orgs', 0);

-- Once per statement (an import's bulk insert advances the generation once). The row lock this
-- takes is held to the end of the writing transaction, as the roll-up's root row already is.
CREATE FUNCTION data_gen_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = TG_ARGV[0];
    RETURN NULL;
END
$$;

CREATE TRIGGER member_gen AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON member
    FOR EACH STATEMENT EXECUTE FUNCTION data_gen_bump('orgs');
CREATE TRIGGER org_gen AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON org
    FOR EACH STATEMENT EXECUTE FUNCTION data_gen_bump('orgs');
CREATE TRIGGER org_facility_gen AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON org_facility
    FOR EACH STATEMENT EXECUTE FUNCTION data_gen_bump('orgs');
CREATE TRIGGER org_stats_gen AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON org_stats
    FOR EACH STATEMENT EXECUTE FUNCTION data_gen_bump('orgs');
