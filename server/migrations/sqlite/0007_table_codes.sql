-- Each table's secret code, printed in its QR link beside the table's id
-- (`?table=A12&code=…`): a dine-in order is taken only with the table's
-- current code, so a table id read off a receipt or guessed cannot order to
-- the table from elsewhere. "New code" on /admin/tables replaces it.
--
-- Every table gets its code here: the ones there already, while the table
-- is rebuilt (SQLite adds a column only with a constant default), and every
-- new one from the default, 128 random bits as 32 hex digits (URL-safe).
CREATE TABLE dining_tables_coded (
    id    TEXT PRIMARY KEY,
    label TEXT,
    seats INTEGER,
    code  TEXT NOT NULL DEFAULT (lower(hex(randomblob(16))))
) STRICT;
INSERT INTO dining_tables_coded (id, label, seats)
    SELECT id, label, seats FROM dining_tables;
DROP TABLE dining_tables;
ALTER TABLE dining_tables_coded RENAME TO dining_tables;
