-- leadscore export-sql: gbdt@fedcba98, dialect spark
-- tier: hot when probability >= 0.25 (the run's maxF1 threshold), warm from the training rate 0.1
SELECT scored.*,
  ROUND(scored.probability * 100, 1) AS score,
  CASE WHEN scored.probability >= 0.25 THEN 'hot' WHEN scored.probability >= 0.1 THEN 'warm' ELSE 'cold' END AS tier
FROM (
  SELECT logits.*, 1 / (1 + EXP(-(1.1 * (logits.leadscore_logit) + -0.2))) AS probability
  FROM (
    SELECT features.*,
      -2.2
      + (CASE WHEN CAST(`pages` AS DOUBLE) IS NULL OR CAST(`pages` AS DOUBLE) <= 3.5 THEN -0.1 ELSE CASE WHEN SUBSTR('101', features.`leadscore_code_1` + 1, 1) = '1' THEN 0.2 ELSE 0.05 END END)
      + (CASE WHEN (CASE WHEN `created` IS NULL THEN NULL ELSE ((unix_millis(TIMESTAMP '2025-12-31 00:00:00.000') - unix_millis(CAST(`created` AS TIMESTAMP))) / 86400000.0) END) <= 30.5 THEN 0.07 ELSE -0.03 END) AS leadscore_logit
    FROM (
      SELECT leads.*,
        (CASE WHEN TRIM(CAST(`channel` AS STRING)) = 'webinar' THEN 0 WHEN TRIM(CAST(`channel` AS STRING)) = 'paid search' THEN 1 WHEN TRIM(CAST(`channel` AS STRING)) = 'partner''s event' THEN 2 ELSE NULL END) AS `leadscore_code_1`
      FROM crm.leads AS leads
    ) AS features
  ) AS logits
) AS scored
