-- leadscore export-sql: logistic@01234567, dialect spark
-- tier: hot when probability >= 0.3 (the run's maxF1 threshold), warm from the training rate 0.1
SELECT scored.*,
  ROUND(scored.probability * 100, 1) AS score,
  CASE WHEN scored.probability >= 0.3 THEN 'hot' WHEN scored.probability >= 0.1 THEN 'warm' ELSE 'cold' END AS tier
FROM (
  SELECT logits.*, (CASE WHEN (1 / (1 + EXP(-(logits.leadscore_logit)))) <= 0.05 THEN 0.01 WHEN (1 / (1 + EXP(-(logits.leadscore_logit)))) < 0.2 THEN 0.01 + ((1 / (1 + EXP(-(logits.leadscore_logit)))) - 0.05) * 0.6 WHEN (1 / (1 + EXP(-(logits.leadscore_logit)))) < 0.6 THEN 0.15 + ((1 / (1 + EXP(-(logits.leadscore_logit)))) - 0.2) * 0.875 ELSE 0.5 END) AS probability
  FROM (
    SELECT leads.*,
      -2
      + 0.5 * ((LN(1 + GREATEST(COALESCE(CAST((CASE WHEN TRIM(CAST(`pages` AS STRING)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE `pages` END) AS DOUBLE), 3), 0)) - 1.2) / 0.8)
      + (CASE WHEN CAST((CASE WHEN TRIM(CAST(`pages` AS STRING)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE `pages` END) AS DOUBLE) IS NULL THEN 0.25 ELSE 0 END)
      + 1.5 * (CASE WHEN (CASE WHEN TRIM(CAST(`opt_in` AS STRING)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE `opt_in` END) IS NULL THEN 0 WHEN LOWER(TRIM(CAST((CASE WHEN TRIM(CAST(`opt_in` AS STRING)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE `opt_in` END) AS STRING))) IN ('true') THEN 1 ELSE 0 END)
      + (CASE WHEN (CASE WHEN TRIM(CAST(`channel` AS STRING)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE `channel` END) IS NULL THEN 0.3 WHEN TRIM(CAST((CASE WHEN TRIM(CAST(`channel` AS STRING)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE `channel` END) AS STRING)) = 'webinar' THEN -0.75 ELSE 0.4 END)
      + -0.2 * ((COALESCE((CASE WHEN (CASE WHEN TRIM(CAST(`created` AS STRING)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE `created` END) IS NULL THEN NULL ELSE ((unix_millis(TIMESTAMP '2025-12-31 00:00:00.000') - unix_millis(CAST((CASE WHEN TRIM(CAST(`created` AS STRING)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE `created` END) AS TIMESTAMP))) / 86400000.0) END), 100) - 120) / 60)
      + (CASE WHEN month(CAST((CASE WHEN TRIM(CAST(`created` AS STRING)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE `created` END) AS TIMESTAMP)) = 1 THEN 0.1 WHEN month(CAST((CASE WHEN TRIM(CAST(`created` AS STRING)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE `created` END) AS TIMESTAMP)) = 2 THEN 0.05 ELSE 0 END)
      + (CASE WHEN (dayofweek(CAST((CASE WHEN TRIM(CAST(`created` AS STRING)) IN ('', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!') THEN NULL ELSE `created` END) AS TIMESTAMP)) - 1) = 3 THEN 0.02 ELSE 0 END) AS leadscore_logit
    FROM crm.leads AS leads
  ) AS logits
) AS scored
