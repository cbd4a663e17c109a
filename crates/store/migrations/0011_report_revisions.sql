-- report_runs keeps revisions: a period already published whose figures changed since
-- (late events dated in it) is written again beside the first, as revision 2, 3, …, so a
-- report never silently disagrees with the API. Each row says which revision it is, the
-- instant up to which stored data were read (its cut-off), a digest of the figures that
-- revisions compare, and how many figures differ from the revision before. Rows written
-- before revisions were kept are revision 1, cut off at the newest event they stored.
ALTER TABLE report_runs ADD COLUMN revision UInt32 DEFAULT 1;
ALTER TABLE report_runs ADD COLUMN data_cut_off DateTime DEFAULT latest_event_stored;
ALTER TABLE report_runs ADD COLUMN figures_sha256 String;
ALTER TABLE report_runs ADD COLUMN changed_figures UInt32;
