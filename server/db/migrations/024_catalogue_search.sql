-- The catalogue at the centre's real size (issue 19): an information request carries the answer
-- the dispatcher gives on the call (closed at first contact), and every node the colloquial words
-- callers use for it (kk and ru, from the pack's synonyms.json), which the catalogue search reads.
ALTER TABLE categories ADD COLUMN request_type text CHECK (request_type IS NULL OR request_type IN ('information', 'complaint'));
ALTER TABLE categories ADD COLUMN answer_kk text;
ALTER TABLE categories ADD COLUMN answer_ru text;
ALTER TABLE categories ADD COLUMN answer_en text;
ALTER TABLE categories ADD COLUMN synonyms text[] NOT NULL DEFAULT '{}';
