-- The 党课 a 党组's secretaries gave in the units around their 党组 (LIFE-06S) are looked up by
-- lecturer: a handful of members' lectures in a year. Read through the record's path, a 党组 that
-- sits directly under a city or county committee made every such read a range over all the
-- committee's records of the year (hundreds of thousands in a city), and a kept compliance
-- evaluation reads them again after any change around the 党组. By lecturer, it reads only theirs.
-- Keep in step with the other backend's 0022: the schema-agreement test compares the two.
CREATE INDEX life_record_lecturer ON life_record(lecturer_member_id, held_on);
