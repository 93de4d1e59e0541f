-- Data generations: a counter per topic that the database itself advances on every change to the
-- topic's tables, whoever makes it (this server, another server, the command line, an import).
-- A view kept in memory records the generation it was read at and is used again only while the
-- generation is unchanged (see store::generation). Keep in step with ../postgres/0006_generation.sql:
-- the schema-agreement test compares the two.
--
-- 'orgs': the organization tree and its members: organizations (names, paths, terms), their
-- facilities, members, and the roll-up that counts them. The member list and the statistics
-- pages are read from these.
CREATE TABLE data_gen (
    topic TEXT    PRIMARY KEY,
    n     INTEGER NOT NULL
);
INSERT INTO data_gen (topic, n) VALUES ('orgs', 0);

-- SQLite's triggers fire for each row; the update is of one row already in the page cache.
CREATE TRIGGER member_gen_insert AFTER INSERT ON member BEGIN UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs'; END;
CREATE TRIGGER member_gen_update AFTER UPDATE ON member BEGIN UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs'; END;
CREATE TRIGGER member_gen_delete AFTER DELETE ON member BEGIN UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs'; END;
CREATE TRIGGER org_gen_insert AFTER INSERT ON org BEGIN UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs'; END;
CREATE TRIGGER org_gen_update AFTER UPDATE ON org BEGIN UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs'; END;
CREATE TRIGGER org_gen_delete AFTER DELETE ON org BEGIN UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs'; END;
CREATE TRIGGER org_facility_gen_insert AFTER INSERT ON org_facility BEGIN UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs'; END;
CREATE TRIGGER org_facility_gen_update AFTER UPDATE ON org_facility BEGIN UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs'; END;
CREATE TRIGGER org_facility_gen_delete AFTER DELETE ON org_facility BEGIN UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs'; END;
CREATE TRIGGER org_stats_gen_insert AFTER INSERT ON org_stats BEGIN UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs'; END;
CREATE TRIGGER org_stats_gen_update AFTER UPDATE ON org_stats BEGIN UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs'; END;
CREATE TRIGGER org_stats_gen_delete AFTER DELETE ON org_stats BEGIN UPDATE data_gen SET n = n + 1 WHERE topic = 'orgs'; END;
