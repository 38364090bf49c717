-- Why: the task list (dashboard, API, `taskrail list`) filters by creator, queue and index and
-- shows the newest first. With 1,000,000 tasks these filters walked the whole table in id order
-- (a page filtered by creator took 1.3 s, by index 0.7 s: bench/task-list-million.mjs). Each
-- index below serves one filter in id order, so a page reads only matching rows. They cost a
-- write only at insert: creator, queue and index never change afterwards.
CREATE INDEX tasks_creator_id ON tasks (creator, id) WHERE creator IS NOT NULL;
CREATE INDEX tasks_queue_id ON tasks (queue, id);
CREATE INDEX tasks_index_key_id ON tasks (index_key, id) WHERE index_key IS NOT NULL;
DROP INDEX tasks_index_key;
