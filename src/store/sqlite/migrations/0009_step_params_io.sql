-- Why: the dashboard and the API show the params before and after each step (issue 6). The
-- task's `params` column only holds the current merge of every step's `setParam` writes, so
-- what a task was dispatched with and what each step wrote could not be told apart. We keep
-- both facts: `tasks.initial_params` (written once at dispatch, never changed, not even by a
-- retry) and `steps.params_set` (the patch the step's success merged into the task's params,
-- written in the same statement as that success; NULL when it wrote none or has not
-- succeeded). Everything in between is derived (src/core/params-timeline.ts).
-- Existing rows: a task's initial params are taken to be its current params (the best we
-- know), and no step is known to have set anything.
ALTER TABLE tasks ADD COLUMN initial_params TEXT NOT NULL DEFAULT '{}';
UPDATE tasks SET initial_params = params;
ALTER TABLE steps ADD COLUMN params_set TEXT;
