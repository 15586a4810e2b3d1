-- leadscore export-sql: gbdt@fedcba98, dialect snowflake
-- tier: hot when probability >= 0.25 (the run's maxF1 threshold), warm from the training rate 0.1
SELECT scored.*,
  ROUND(scored.probability * 100, 1) AS score,
  CASE WHEN scored.probability >= 0.25 THEN 'hot' WHEN scored.probability >= 0.1 THEN 'warm' ELSE 'cold' END AS tier
FROM (
  SELECT logits.*, (1 / (1 + EXP(-GREATEST(LEAST(1.1 * (logits.leadscore_logit) + -0.2, 700), -700)))) AS probability
  FROM (
    SELECT features.*,
      CAST(-2.2 AS DOUBLE)
      + (CASE WHEN features."leadscore_feature_0" IS NULL OR features."leadscore_feature_0" <= 3.5 THEN -0.1 ELSE CASE WHEN SUBSTR('101', features."leadscore_feature_1" + 1, 1) = '1' THEN 0.2 ELSE 0.05 END END)
      + (CASE WHEN features."leadscore_feature_2" <= 30.5 THEN 0.07 ELSE -0.03 END) AS leadscore_logit
    FROM (
      SELECT leads.*,
        CAST((CASE WHEN TRIM(CAST("pages" AS VARCHAR)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE "pages" END) AS DOUBLE) AS "leadscore_feature_0",
        (CASE WHEN TRIM(CAST((CASE WHEN TRIM(CAST("channel" AS VARCHAR)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE "channel" END) AS VARCHAR)) = 'webinar' THEN 0 WHEN TRIM(CAST((CASE WHEN TRIM(CAST("channel" AS VARCHAR)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE "channel" END) AS VARCHAR)) = 'paid search' THEN 1 WHEN TRIM(CAST((CASE WHEN TRIM(CAST("channel" AS VARCHAR)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE "channel" END) AS VARCHAR)) = 'partner''s event' THEN 2 ELSE NULL END) AS "leadscore_feature_1",
        (CASE WHEN (CASE WHEN TRIM(CAST("created" AS VARCHAR)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE "created" END) IS NULL THEN NULL ELSE ((1767139200000 - DATE_PART(epoch_millisecond, CAST((CASE WHEN TRIM(CAST("created" AS VARCHAR)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE "created" END) AS TIMESTAMP))) / 86400000.0) END) AS "leadscore_feature_2",
        MONTH(CAST((CASE WHEN TRIM(CAST("created" AS VARCHAR)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE "created" END) AS TIMESTAMP)) AS "leadscore_feature_3",
        MOD(MOD(CAST(FLOOR(DATE_PART(epoch_millisecond, CAST((CASE WHEN TRIM(CAST("created" AS VARCHAR)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE "created" END) AS TIMESTAMP)) / 86400000.0) AS BIGINT) + 4, 7) + 7, 7) AS "leadscore_feature_4"
      FROM crm.leads AS leads
    ) AS features
  ) AS logits
) AS scored
