-- Plain PostgreSQL (no TimescaleDB): the same relation names as the TimescaleDB twin of this file, as
-- ordinary views computed on read, so queries are identical. date_bin with origin 2000-01-01 (a Monday,
-- midnight UTC) buckets exactly like time_bucket for minute and hour widths.

CREATE VIEW vitals_1m AS
SELECT date_bin(INTERVAL '1 minute', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
       resident_id,
       device_id,
       count(*)          AS samples,
       avg(heart_rate)   AS heart_rate_avg,
       min(heart_rate)   AS heart_rate_min,
       max(heart_rate)   AS heart_rate_max,
       avg(spo2)         AS spo2_avg,
       min(spo2)         AS spo2_min,
       avg(systolic)     AS systolic_avg,
       max(systolic)     AS systolic_max,
       avg(diastolic)    AS diastolic_avg,
       max(diastolic)    AS diastolic_max,
       avg(temperature)  AS temperature_avg,
       max(temperature)  AS temperature_max,
       avg(glucose)      AS glucose_avg,
       max(steps)        AS steps_max
FROM vitals
GROUP BY bucket, resident_id, device_id;

CREATE VIEW vitals_1h AS
SELECT date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
       resident_id,
       device_id,
       count(*)          AS samples,
       avg(heart_rate)   AS heart_rate_avg,
       min(heart_rate)   AS heart_rate_min,
       max(heart_rate)   AS heart_rate_max,
       avg(spo2)         AS spo2_avg,
       min(spo2)         AS spo2_min,
       avg(systolic)     AS systolic_avg,
       max(systolic)     AS systolic_max,
       avg(diastolic)    AS diastolic_avg,
       max(diastolic)    AS diastolic_max,
       avg(temperature)  AS temperature_avg,
       max(temperature)  AS temperature_max,
       avg(glucose)      AS glucose_avg,
       max(steps)        AS steps_max
FROM vitals
GROUP BY bucket, resident_id, device_id;
