-- Which organizations' data changed, and at which generation (see store::generation): a view
-- kept in memory for a whole subtree (the statistics, the compliance of organization life) reads
-- again only the organizations changed since the generation it was read at, instead of the
-- subtree. One row per topic and organization, moved forward on every change; organization 0
-- stands for a change every view of the topic depends on (the tree itself, the rules).
-- Keep in step with ../postgres/0014_change_log.sql: the schema-agreement test compares the two.
--
-- 'orgs': members, by the organization they belong to (before and after a change); the tree
-- and the facilities as organization 0.
-- 'life': organization-life records and their attachments, officers (书记 terms, and the names
-- they are shown under), 党组 divisions, by organization; rules, types, the 所属年度 windows and
-- the tree as organization 0.
INSERT INTO data_gen (topic, n) VALUES ('life', 0);
-- 'messages': the message centre (the top bar's unread count is kept while it holds).
INSERT INTO data_gen (topic, n) VALUES ('messages', 0);
CREATE TRIGGER message_gen_insert AFTER INSERT ON message BEGIN UPDATE data_gen SET n = n + 1 WHERE topic = 'messages'; END;
CREATE TRIGGER message_gen_update AFTER UPDATE ON message BEGIN UPDATE data_gen SET n = n + 1 WHERE topic = 'messages'; END;
CREATE TRIGGER message_gen_delete AFTER DELETE ON message BEGIN UPDATE data_gen SET n = n + 1 WHERE topic = 'messages'; END;

CREATE TABLE data_change (
    topic  TEXT    NOT NULL,
    org_id INTEGER NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (topic, org_id)
);
CREATE INDEX data_change_since ON data_change(topic, n);

-- Each trigger advances the topic's generation itself before it notes the organization, so the
-- note is never older than a generation a reader saw before the change.
CREATE TRIGGER member_change_insert AFTER INSERT ON member BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs';
    INSERT INTO data_change (topic, org_id, n) VALUES ('orgs', NEW.org_id, (SELECT n FROM data_gen WHERE topic = 'orgs'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER member_change_update AFTER UPDATE ON member BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs';
    INSERT INTO data_change (topic, org_id, n) VALUES ('orgs', OLD.org_id, (SELECT n FROM data_gen WHERE topic = 'orgs'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
    INSERT INTO data_change (topic, org_id, n) VALUES ('orgs', NEW.org_id, (SELECT n FROM data_gen WHERE topic = 'orgs'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER member_change_delete AFTER DELETE ON member BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs';
    INSERT INTO data_change (topic, org_id, n) VALUES ('orgs', OLD.org_id, (SELECT n FROM data_gen WHERE topic = 'orgs'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
-- a member's name is shown in the findings of the organizations where the member is 书记
CREATE TRIGGER member_name_life AFTER UPDATE OF name ON member WHEN OLD.name IS NOT NEW.name BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n)
        SELECT 'life', f.org_id, (SELECT n FROM data_gen WHERE topic = 'life') FROM org_officer f WHERE f.member_id = NEW.id
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;

-- the tree and the facilities: everything below depends on them
CREATE TRIGGER org_change_insert AFTER INSERT ON org BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic IN ('orgs', 'life');
    INSERT INTO data_change (topic, org_id, n) SELECT topic, 0, n FROM data_gen WHERE topic IN ('orgs', 'life')
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER org_change_update AFTER UPDATE ON org BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic IN ('orgs', 'life');
    INSERT INTO data_change (topic, org_id, n) SELECT topic, 0, n FROM data_gen WHERE topic IN ('orgs', 'life')
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER org_change_delete AFTER DELETE ON org BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic IN ('orgs', 'life');
    INSERT INTO data_change (topic, org_id, n) SELECT topic, 0, n FROM data_gen WHERE topic IN ('orgs', 'life')
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER org_facility_change_insert AFTER INSERT ON org_facility BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs';
    INSERT INTO data_change (topic, org_id, n) VALUES ('orgs', 0, (SELECT n FROM data_gen WHERE topic = 'orgs'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER org_facility_change_update AFTER UPDATE ON org_facility BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs';
    INSERT INTO data_change (topic, org_id, n) VALUES ('orgs', 0, (SELECT n FROM data_gen WHERE topic = 'orgs'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER org_facility_change_delete AFTER DELETE ON org_facility BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs';
    INSERT INTO data_change (topic, org_id, n) VALUES ('orgs', 0, (SELECT n FROM data_gen WHERE topic = 'orgs'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;

-- organization life, by organization
CREATE TRIGGER life_record_change_insert AFTER INSERT ON life_record BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', NEW.org_id, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER life_record_change_update AFTER UPDATE ON life_record BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', OLD.org_id, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', NEW.org_id, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER life_record_change_delete AFTER DELETE ON life_record BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', OLD.org_id, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER life_attachment_change_insert AFTER INSERT ON life_attachment BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n)
        SELECT 'life', r.org_id, (SELECT n FROM data_gen WHERE topic = 'life') FROM life_record r WHERE r.id = NEW.record_id
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER life_attachment_change_delete AFTER DELETE ON life_attachment BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n)
        SELECT 'life', r.org_id, (SELECT n FROM data_gen WHERE topic = 'life') FROM life_record r WHERE r.id = OLD.record_id
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER org_officer_change_insert AFTER INSERT ON org_officer BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', NEW.org_id, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER org_officer_change_update AFTER UPDATE ON org_officer BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', OLD.org_id, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', NEW.org_id, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER org_officer_change_delete AFTER DELETE ON org_officer BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', OLD.org_id, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER party_division_change_insert AFTER INSERT ON party_division BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', NEW.org_id, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER party_division_change_update AFTER UPDATE ON party_division BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', OLD.org_id, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', NEW.org_id, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER party_division_change_delete AFTER DELETE ON party_division BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', OLD.org_id, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;

-- what every evaluation reads: the rules, the types, the 所属年度 windows
CREATE TRIGGER life_rule_change_insert AFTER INSERT ON life_rule BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', 0, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER life_rule_change_update AFTER UPDATE ON life_rule BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', 0, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER life_rule_change_delete AFTER DELETE ON life_rule BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', 0, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER life_type_change_insert AFTER INSERT ON life_type BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', 0, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER life_type_change_update AFTER UPDATE ON life_type BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', 0, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER life_type_change_delete AFTER DELETE ON life_type BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', 0, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER life_year_window_change_insert AFTER INSERT ON life_year_window BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', 0, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER life_year_window_change_update AFTER UPDATE ON life_year_window BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', 0, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
CREATE TRIGGER life_year_window_change_delete AFTER DELETE ON life_year_window BEGIN
    UPDATE data_gen SET n = n + 1 WHERE topic = 'life';
    INSERT INTO data_change (topic, org_id, n) VALUES ('life', 0, (SELECT n FROM data_gen WHERE topic = 'life'))
        ON CONFLICT (topic, org_id) DO UPDATE SET n = excluded.n;
END;
