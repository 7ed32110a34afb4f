-- Journal entries name the door a request came through (api, web, operator, import) and the
-- regulated action taken. Entries written before carry neither; their hashes cover what they had.
ALTER TABLE journal ADD COLUMN door TEXT;
ALTER TABLE journal ADD COLUMN action TEXT;
