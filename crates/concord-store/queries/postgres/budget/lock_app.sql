-- Every process taking from this app's budget queues up behind this row lock.
SELECT app FROM budget_apps WHERE app = $1 FOR UPDATE
