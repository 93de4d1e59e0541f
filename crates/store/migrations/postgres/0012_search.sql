-- Finding a member by the last digits of the ID number (末 4–6 位) within the caller's scope.
-- The index holds the last six characters reversed, so "ends with 1234" is the prefix range
-- ['4321', '4321~') of one index: a handful of rows instead of a scan of every member.
-- An expression index rather than a column: nothing to fill for existing rows and nothing for
-- the member writes, imports and the demo builder to keep in step. Compared bytewise (COLLATE
-- "C", as paths are), so the range means the same as on SQLite; store::member::search uses
-- exactly this expression.
-- Keep in step with ../sqlite/0012_search.sql: the schema-agreement test compares the two.
CREATE INDEX member_id_tail ON member ((reverse(right(id_number, 6)) COLLATE "C"));
