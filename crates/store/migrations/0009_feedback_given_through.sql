-- Where the feedback was given (`widget`, `form`, `survey`), apart from how the service
-- was delivered (`channel`, which feedback from the widget or form may leave undeclared:
-- stored as '', read as "not declared"); '' when the sender did not say (an API client).
ALTER TABLE feedback ADD COLUMN given_through String;
