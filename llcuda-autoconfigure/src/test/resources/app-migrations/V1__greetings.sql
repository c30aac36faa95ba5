-- An application's own migration, to show both histories coexist.
CREATE TABLE greetings (text VARCHAR(20));
INSERT INTO greetings VALUES ('hello');
