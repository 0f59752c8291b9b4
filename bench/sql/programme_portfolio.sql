-- programme_portfolio written by hand, as fast as plain SQL gets it: the ceiling for the
-- reports service. Programmes per focus area and status; their budget sums; programmes per
-- (Japanese lead, Indian lead) pair. Each partner row carries its country (the read model
-- fills it from the event), and each programme has one lead per side.
\timing on
SELECT focus_area, status, count(*)
FROM programmes
WHERE created_at >= '2026-01-01T00:00:00+00' AND created_at < '2027-01-01T00:00:00+00'
GROUP BY focus_area, status
ORDER BY focus_area, status;

SELECT p.focus_area, p.status,
       sum(b.amount_minor) FILTER (WHERE b.currency = 'JPY') AS jpy,
       sum(b.amount_minor) FILTER (WHERE b.currency = 'INR') AS inr
FROM programme_budget_lines b
JOIN programmes p ON p.id = b.programme_id
WHERE p.created_at >= '2026-01-01T00:00:00+00' AND p.created_at < '2027-01-01T00:00:00+00'
GROUP BY p.focus_area, p.status;

WITH pairs AS (
    SELECT jp.organisation_id AS jp_id, ip.organisation_id AS in_id, count(*) AS programmes
    FROM programme_partners jp
    JOIN programme_partners ip
      ON ip.programme_id = jp.programme_id AND ip.role = 'lead' AND ip.country = 'IN'
    JOIN programmes p ON p.id = jp.programme_id
    WHERE jp.role = 'lead' AND jp.country = 'JP'
      AND p.created_at >= '2026-01-01T00:00:00+00' AND p.created_at < '2027-01-01T00:00:00+00'
    GROUP BY jp.organisation_id, ip.organisation_id
)
SELECT coalesce(jo.name, pairs.jp_id), coalesce(io.name, pairs.in_id), pairs.programmes
FROM pairs
LEFT JOIN organisations jo ON jo.id = pairs.jp_id
LEFT JOIN organisations io ON io.id = pairs.in_id
ORDER BY pairs.programmes DESC;
