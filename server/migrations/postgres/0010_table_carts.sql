-- One shared cart per table visit (issue 18): the whole `TableCart` of
-- `wendan_tablecart` as one JSON document, changed in one transaction per
-- push or round, so a round's cut and the order made of it commit together.
-- NULL until a phone first changes it: an untouched visit's cart is empty.
-- A document of an evening of six phones is under 48 KB (tested there).
ALTER TABLE table_visits ADD COLUMN cart TEXT;
