-- The phrases of each reading (issue 26, emerging issues): the distinct content-word
-- bigrams of the comment as stems (`phrases`, what is counted per day) and as written
-- (`phrase_texts`, same order, what a person reads), so a phrase no theme names yet ("site
-- en panne", "can't log in") can be flagged against its own trailing baseline. Readings
-- made before this migration have none; a service's phrases are judged only once a whole
-- baseline of readings with phrases exists.
ALTER TABLE comment_readings ADD COLUMN phrases Array(String);
ALTER TABLE comment_readings ADD COLUMN phrase_texts Array(String);
