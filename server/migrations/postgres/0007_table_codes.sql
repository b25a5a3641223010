-- Each table's secret code, printed in its QR link beside the table's id
-- (`?table=A12&code=…`): a dine-in order is taken only with the table's
-- current code, so a table id read off a receipt or guessed cannot order to
-- the table from elsewhere. "New code" on /admin/tables replaces it.
--
-- A volatile default is evaluated for each row: the tables there already
-- get a code each as the column is added, and so does every new one, even
-- one a replica of the previous release creates during a rolling upgrade.
-- 122 random bits (gen_random_uuid, from pg_strong_random) as 32 hex digits.
ALTER TABLE dining_tables
    ADD COLUMN IF NOT EXISTS code TEXT NOT NULL
    DEFAULT replace(gen_random_uuid()::text, '-', '');
