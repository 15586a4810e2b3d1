-- leadscore export-sql: gbdt@fedcba98, dialect postgres
-- tier: hot when probability >= 0.25 (the run's maxF1 threshold), warm from the training rate 0.1
SELECT scored.*,
  ROUND(CAST(scored.probability * 100 AS NUMERIC), 1) AS score,
  CASE WHEN scored.probability >= 0.25 THEN 'hot' WHEN scored.probability >= 0.1 THEN 'warm' ELSE 'cold' END AS tier
FROM (
  SELECT logits.*, (1 / (1 + EXP(-GREATEST(LEAST(1.1 * (logits.leadscore_logit) + -0.2, 700), -700)))) AS probability
  FROM (
    SELECT features.*,
      CAST(-2.2 AS DOUBLE PRECISION)
      + (CASE WHEN features."leadscore_feature_0" IS NULL OR features."leadscore_feature_0" <= 3.5 THEN -0.1 ELSE CASE WHEN SUBSTR('101', features."leadscore_feature_1" + 1, 1) = '1' THEN 0.2 ELSE 0.05 END END)
      + (CASE WHEN features."leadscore_feature_2" <= 30.5 THEN 0.07 ELSE -0.03 END) AS leadscore_logit
    FROM (
      SELECT leads.*,
        CAST((CASE WHEN TRIM(CAST("pages" AS TEXT)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE "pages" END) AS DOUBLE PRECISION) AS "leadscore_feature_0",
        (CASE WHEN TRIM(CAST((CASE WHEN TRIM(CAST("channel" AS TEXT)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE "channel" END) AS TEXT)) = 'webinar' THEN 0 WHEN TRIM(CAST((CASE WHEN TRIM(CAST("channel" AS TEXT)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE "channel" END) AS TEXT)) = 'paid search' THEN 1 WHEN TRIM(CAST((CASE WHEN TRIM(CAST("channel" AS TEXT)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE "channel" END) AS TEXT)) = 'partner''s event' THEN 2 ELSE NULL END) AS "leadscore_feature_1",
        (CASE WHEN (CASE WHEN TRIM(CAST("created" AS TEXT)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE "created" END) IS NULL THEN NULL ELSE (EXTRACT(EPOCH FROM (TIMESTAMP '2025-12-31 00:00:00.000' - CAST((CASE WHEN TRIM(CAST("created" AS TEXT)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE "created" END) AS TIMESTAMP))) / 86400.0) END) AS "leadscore_feature_2",
        EXTRACT(MONTH FROM CAST((CASE WHEN TRIM(CAST("created" AS TEXT)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE "created" END) AS TIMESTAMP)) AS "leadscore_feature_3",
        EXTRACT(DOW FROM CAST((CASE WHEN TRIM(CAST("created" AS TEXT)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE "created" END) AS TIMESTAMP)) AS "leadscore_feature_4"
      FROM crm.leads AS leads OFFSET 0
    ) AS features OFFSET 0
  ) AS logits OFFSET 0
) AS scored
