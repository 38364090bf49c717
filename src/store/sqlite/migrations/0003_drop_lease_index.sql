-- Why: the expired-lease sweep reads running tasks only (at most the cluster's total
-- concurrency), which the (status, id) index already finds; the partial index on lease_until
-- cost an index insert on every claim and a delete on every completion, ~10% of the
-- claim + complete path as measured with 20,000 one-step tasks.
DROP INDEX IF EXISTS tasks_lease_until;
