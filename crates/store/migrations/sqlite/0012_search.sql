-- Finding a member by the last digits of the ID number (末 4–6 位) within the caller's scope.
-- The index holds the last six characters reversed, so "ends with 1234" is the prefix range
-- ['4321', '4321~') of one index: a handful of rows instead of a scan of every member (about
-- 15 ms on the demo city's 77,000 members, about a second on a province's five million).
-- An expression index rather than a column: nothing to fill for existing rows and nothing for
-- the member writes, imports and the demo builder to keep in step. SQLite has no reverse(), so
-- the six characters are taken one by one from the end; store::member::search uses exactly this
-- expression, as SQLite only uses an expression index for the same expression.
-- Keep in step with ../postgres/0012_search.sql: the schema-agreement test compares the two.
CREATE INDEX member_id_tail ON member ((substr(id_number, -1, 1) || substr(id_number, -2, 1) || substr(id_number, -3, 1)
    || substr(id_number, -4, 1) || substr(id_number, -5, 1) || substr(id_number, -6, 1)));
