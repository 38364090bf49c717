-- Why: the task list (dashboard, API, `taskrail list`) filters by creator, queue, type and index
-- and shows the newest first. With 1,000,000 tasks a page filtered by creator took 0.8 s
-- (bench/task-list-million.mjs): no index served it. Each index below serves one filter in id
-- order, so a page reads only matching rows. They cost a write only at insert: creator, queue,
-- type and index never change afterwards.
CREATE INDEX tasks_creator_id ON tasks (creator, id) WHERE creator IS NOT NULL;
CREATE INDEX tasks_queue_id ON tasks (queue, id);
CREATE INDEX tasks_type_id ON tasks (type, id);
CREATE INDEX tasks_index_key_id ON tasks (index_key, id) WHERE index_key IS NOT NULL;
DROP INDEX tasks_index_key;
