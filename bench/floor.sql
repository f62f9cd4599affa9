-- The compliance rows of one period, written by hand in one statement: the floor that
-- build_compliance is measured against (bench/run.py checks both give the same rows).
-- DESIGN.md, "Compliance of period M, as of A". Parameters: period = M's first day,
-- as_of = A = min(today, M's last day). Runs unchanged on PostgreSQL and SQLite (>= 3.30).
WITH
urged AS (            -- tasks with a supervision sent in M up to A
    SELECT DISTINCT task_id FROM supervision
    WHERE sent_on >= :period AND sent_on <= :as_of
),
fed_back AS (         -- tasks with a feedback in M up to A that was not returned
    SELECT DISTINCT task_id FROM feedback
    WHERE reported_on >= :period AND reported_on <= :as_of AND review_status <> 'returned'
),
dispatched AS (       -- projects a meeting held in M (up to A) dispatched
    SELECT DISTINCT mp.project_id FROM meeting_project mp
    JOIN meeting mt ON mt.id = mp.meeting_id
    WHERE mt.held_on >= :period AND mt.held_on <= :as_of
),
counted AS (          -- the tasks that can count: open in M, or due in M up to A
    SELECT t.id, t.department_id, t.deadline, t.done_on,
        (t.assigned_on <= :as_of AND (t.done_on IS NULL OR t.done_on >= :period)) AS is_open,
        (t.deadline >= :period AND t.deadline <= :as_of) AS is_due
    FROM task t
    WHERE NOT t.cancelled
      AND ((t.assigned_on <= :as_of AND (t.done_on IS NULL OR t.done_on >= :period))
           OR (t.deadline >= :period AND t.deadline <= :as_of))
),
task_counts AS (
    SELECT c.department_id,
        COUNT(*) FILTER (WHERE c.is_open) AS tasks_open,
        COUNT(u.task_id) FILTER (WHERE c.is_open) AS tasks_urged,
        COUNT(f.task_id) FILTER (WHERE c.is_open) AS tasks_fed_back,
        COUNT(*) FILTER (WHERE c.is_due) AS tasks_due,
        COUNT(*) FILTER (WHERE c.is_due AND c.done_on <= c.deadline) AS tasks_implemented,
        COUNT(*) FILTER (WHERE c.is_open AND c.deadline < :as_of
                         AND (c.done_on IS NULL OR c.done_on > :as_of)) AS tasks_overdue
    FROM counted c
    LEFT JOIN urged u ON u.task_id = c.id
    LEFT JOIN fed_back f ON f.task_id = c.id
    GROUP BY c.department_id
),
project_counts AS (   -- in-scope projects of each lead department, and those dispatched
    SELECT p.lead_department_id AS department_id, COUNT(*) AS projects_in_scope,
        COUNT(d.project_id) AS projects_dispatched
    FROM project p
    LEFT JOIN dispatched d ON d.project_id = p.id
    WHERE p.stage IN ('preparation', 'construction')
       OR (p.stage IN ('completed', 'operating') AND p.actual_end >= :period)
    GROUP BY p.lead_department_id
),
departments AS (      -- every department, zero where it has nothing to count
    SELECT dep.id AS department_id,
        COALESCE(pc.projects_in_scope, 0) AS projects_in_scope,
        COALESCE(pc.projects_dispatched, 0) AS projects_dispatched,
        COALESCE(tc.tasks_open, 0) AS tasks_open,
        COALESCE(tc.tasks_urged, 0) AS tasks_urged,
        COALESCE(tc.tasks_fed_back, 0) AS tasks_fed_back,
        COALESCE(tc.tasks_due, 0) AS tasks_due,
        COALESCE(tc.tasks_implemented, 0) AS tasks_implemented,
        COALESCE(tc.tasks_overdue, 0) AS tasks_overdue
    FROM department dep
    LEFT JOIN project_counts pc ON pc.department_id = dep.id
    LEFT JOIN task_counts tc ON tc.department_id = dep.id
),
all_rows AS (        -- the departments, and the county (department NULL): their sum
    SELECT * FROM departments
    UNION ALL
    SELECT NULL, SUM(projects_in_scope), SUM(projects_dispatched), SUM(tasks_open),
        SUM(tasks_urged), SUM(tasks_fed_back), SUM(tasks_due), SUM(tasks_implemented),
        SUM(tasks_overdue)
    FROM departments
),
rated AS (            -- a rate with a zero denominator is NULL
    SELECT a.*,
        CAST(projects_dispatched AS DOUBLE PRECISION) / NULLIF(projects_in_scope, 0)
            AS dispatch_rate,
        CAST(tasks_urged AS DOUBLE PRECISION) / NULLIF(tasks_open, 0) AS supervision_rate,
        CAST(tasks_implemented AS DOUBLE PRECISION) / NULLIF(tasks_due, 0)
            AS implementation_rate,
        CAST(tasks_fed_back AS DOUBLE PRECISION) / NULLIF(tasks_open, 0) AS feedback_rate,
        (CASE WHEN projects_in_scope > 0 THEN 1 ELSE 0 END)
            + 2 * (CASE WHEN tasks_open > 0 THEN 1 ELSE 0 END)
            + (CASE WHEN tasks_due > 0 THEN 1 ELSE 0 END) AS known,
        (CASE WHEN projects_in_scope > 0 AND projects_dispatched = projects_in_scope
              THEN 1 ELSE 0 END)
            + (CASE WHEN tasks_open > 0 AND tasks_urged = tasks_open THEN 1 ELSE 0 END)
            + (CASE WHEN tasks_due > 0 AND tasks_implemented = tasks_due THEN 1 ELSE 0 END)
            + (CASE WHEN tasks_open > 0 AND tasks_fed_back = tasks_open THEN 1 ELSE 0 END)
            AS full_rates
    FROM all_rows a
)
SELECT department_id, projects_in_scope, projects_dispatched, tasks_open, tasks_urged,
    tasks_fed_back, tasks_due, tasks_implemented, tasks_overdue,
    dispatch_rate, supervision_rate, implementation_rate, feedback_rate,
    (known > 0 AND full_rates = known) AS compliant,
    CASE WHEN known > 0 THEN ROUND(CAST(100.0 * (COALESCE(dispatch_rate, 0)
        + COALESCE(supervision_rate, 0) + COALESCE(implementation_rate, 0)
        + COALESCE(feedback_rate, 0)) / known AS NUMERIC), 1) END AS score
FROM rated
