-- One row that every activation locks (SELECT ... FOR UPDATE) while it loads a model, so that
-- registries sharing this database (service replicas) activate one model at a time.
CREATE TABLE activation_lock (
    id INT PRIMARY KEY
);
INSERT INTO activation_lock (id) VALUES (1);
