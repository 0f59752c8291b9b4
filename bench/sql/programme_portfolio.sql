-- programme_portfolio written by hand: the ceiling for the reports service's query.
\timing on
SELECT p.focus_area, p.status, count(*), coalesce(sum(b.jpy), 0), coalesce(sum(b.inr), 0)
FROM programmes p
LEFT JOIN (
    SELECT programme_id,
           sum(amount_minor) FILTER (WHERE currency = 'JPY') AS jpy,
           sum(amount_minor) FILTER (WHERE currency = 'INR') AS inr
    FROM programme_budget_lines GROUP BY programme_id
) b ON b.programme_id = p.id
WHERE p.created_at >= '2026-01-01T00:00:00+00' AND p.created_at < '2027-01-01T00:00:00+00'
GROUP BY p.focus_area, p.status
ORDER BY p.focus_area, p.status;

SELECT coalesce(jo.name, jp.organisation_id), coalesce(io.name, ip.organisation_id),
       count(DISTINCT p.id) AS programmes
FROM programmes p
JOIN programme_partners jp ON jp.programme_id = p.id AND jp.role = 'lead'
LEFT JOIN organisations jo ON jo.id = jp.organisation_id
JOIN programme_partners ip ON ip.programme_id = p.id AND ip.role = 'lead'
LEFT JOIN organisations io ON io.id = ip.organisation_id
WHERE coalesce(jp.country, jo.country) = 'JP' AND coalesce(ip.country, io.country) = 'IN'
  AND p.created_at >= '2026-01-01T00:00:00+00' AND p.created_at < '2027-01-01T00:00:00+00'
GROUP BY 1, 2
ORDER BY programmes DESC;
