-- Why a page did not help (the widget's reasons: cannot_find, hard_to_understand,
-- something_broken, other), '' when not given.
ALTER TABLE feedback ADD COLUMN reason String;
