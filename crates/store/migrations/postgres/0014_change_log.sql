-- Which organizations' data changed, and at which generation (see store::generation). Keep in
-- step with ../sqlite/0014_change_log.sql: the schema-agreement test compares the two; the
-- comments there explain the table.
INSERT INTO data_gen (topic, n) VALUES ('life', 0);
INSERT INTO data_gen (topic, n) VALUES ('messages', 0);
CREATE TRIGGER message_gen AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON message
    FOR EACH STATEMENT EXECUTE FUNCTION data_gen_bump('messages');

CREATE TABLE data_change (
    topic  TEXT   NOT NULL,
    org_id BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (topic, org_id)
);
CREATE INDEX data_change_since ON data_change(topic, n);

-- Note organization `org` (0: everything) under `topic`, advancing the topic's generation first,
-- so the note is never older than a generation a reader saw before the change.
CREATE FUNCTION data_change_note(topic_ TEXT, org BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE g BIGINT;
BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = topic_ RETURNING n INTO g;
    INSERT INTO data_change (topic, org_id, n) VALUES (topic_, org, g)
        ON CONFLICT (topic, org_id) DO UPDATE SET n = EXCLUDED.n;
END
$$;

-- Members, once per statement (an import's bulk insert notes each organization once), by the
-- organization they belong to before and after.
CREATE FUNCTION member_change_note() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE g BIGINT;
BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs' RETURNING n INTO g;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO data_change (topic, org_id, n) SELECT DISTINCT 'orgs', org_id, g FROM new_rows
            ON CONFLICT (topic, org_id) DO UPDATE SET n = EXCLUDED.n;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO data_change (topic, org_id, n) SELECT DISTINCT 'orgs', org_id, g FROM old_rows
            ON CONFLICT (topic, org_id) DO UPDATE SET n = EXCLUDED.n;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        -- a member's name is shown in the findings of the organizations where the member is 书记
        UPDATE data_gen SET n = n + 1 WHERE topic = 'life' RETURNING n INTO g;
        INSERT INTO data_change (topic, org_id, n)
            SELECT DISTINCT 'life', f.org_id, g FROM org_officer f
            JOIN new_rows nr ON nr.id = f.member_id JOIN old_rows o ON o.id = nr.id
            WHERE o.name IS DISTINCT FROM nr.name
            ON CONFLICT (topic, org_id) DO UPDATE SET n = EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER member_change_insert AFTER INSERT ON member REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION member_change_note();
CREATE TRIGGER member_change_update AFTER UPDATE ON member REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION member_change_note();
CREATE TRIGGER member_change_delete AFTER DELETE ON member REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION member_change_note();

-- what every view of a topic depends on, noted as organization 0: the tree and the facilities
-- (both topics), the rules, types and 所属年度 windows of organization life
CREATE FUNCTION data_change_all() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY TG_ARGV LOOP
        PERFORM data_change_note(t, 0);
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER org_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON org
    FOR EACH STATEMENT EXECUTE FUNCTION data_change_all('orgs', 'life');
CREATE TRIGGER org_facility_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON org_facility
    FOR EACH STATEMENT EXECUTE FUNCTION data_change_all('orgs');
CREATE TRIGGER life_rule_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON life_rule
    FOR EACH STATEMENT EXECUTE FUNCTION data_change_all('life');
CREATE TRIGGER life_type_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON life_type
    FOR EACH STATEMENT EXECUTE FUNCTION data_change_all('life');
CREATE TRIGGER life_year_window_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON life_year_window
    FOR EACH STATEMENT EXECUTE FUNCTION data_change_all('life');
-- emptying a table of organization life at once changes everything
CREATE TRIGGER life_record_truncate AFTER TRUNCATE ON life_record
    FOR EACH STATEMENT EXECUTE FUNCTION data_change_all('life');
CREATE TRIGGER member_truncate AFTER TRUNCATE ON member
    FOR EACH STATEMENT EXECUTE FUNCTION data_change_all('orgs');

-- organization life, by organization, once per statement (the demo's and an import's bulk
-- inserts note each organization once and advance the generation once)
CREATE FUNCTION life_change_note() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE g BIGINT;
BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life' RETURNING n INTO g;
    IF TG_TABLE_NAME = 'life_attachment' THEN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO data_change (topic, org_id, n)
                SELECT DISTINCT 'life', r.org_id, g FROM new_rows x JOIN life_record r ON r.id = x.record_id
                ON CONFLICT (topic, org_id) DO UPDATE SET n = EXCLUDED.n;
        ELSE
            INSERT INTO data_change (topic, org_id, n)
                SELECT DISTINCT 'life', r.org_id, g FROM old_rows x JOIN life_record r ON r.id = x.record_id
                ON CONFLICT (topic, org_id) DO UPDATE SET n = EXCLUDED.n;
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO data_change (topic, org_id, n) SELECT DISTINCT 'life', org_id, g FROM new_rows
            ON CONFLICT (topic, org_id) DO UPDATE SET n = EXCLUDED.n;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO data_change (topic, org_id, n) SELECT DISTINCT 'life', org_id, g FROM old_rows
            ON CONFLICT (topic, org_id) DO UPDATE SET n = EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER life_record_change_insert AFTER INSERT ON life_record REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION life_change_note();
CREATE TRIGGER life_record_change_update AFTER UPDATE ON life_record REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION life_change_note();
CREATE TRIGGER life_record_change_delete AFTER DELETE ON life_record REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION life_change_note();
CREATE TRIGGER life_attachment_change_insert AFTER INSERT ON life_attachment REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION life_change_note();
CREATE TRIGGER life_attachment_change_delete AFTER DELETE ON life_attachment REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION life_change_note();
CREATE TRIGGER org_officer_change_insert AFTER INSERT ON org_officer REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION life_change_note();
CREATE TRIGGER org_officer_change_update AFTER UPDATE ON org_officer REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION life_change_note();
CREATE TRIGGER org_officer_change_delete AFTER DELETE ON org_officer REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION life_change_note();
CREATE TRIGGER party_division_change_insert AFTER INSERT ON party_division REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION life_change_note();
CREATE TRIGGER party_division_change_update AFTER UPDATE ON party_division REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION life_change_note();
CREATE TRIGGER party_division_change_delete AFTER DELETE ON party_division REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION life_change_note();
