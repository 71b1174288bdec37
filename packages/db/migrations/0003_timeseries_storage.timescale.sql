-- migrate: no-transaction
-- TimescaleDB only: hypertables, compression, retention and continuous aggregates. The plain-PostgreSQL
-- twin of this file (0003_timeseries_storage.plain.sql) gives the same names with ordinary views.

SELECT create_hypertable('vitals', by_range('time', INTERVAL '1 day'), if_not_exists => TRUE, migrate_data => TRUE);
SELECT create_hypertable('locations', by_range('time', INTERVAL '1 day'), if_not_exists => TRUE, migrate_data => TRUE);
SELECT create_hypertable('device_status', by_range('time', INTERVAL '1 day'), if_not_exists => TRUE, migrate_data => TRUE);
SELECT create_hypertable('device_events', by_range('time', INTERVAL '7 days'), if_not_exists => TRUE, migrate_data => TRUE);

ALTER TABLE vitals SET (timescaledb.compress, timescaledb.compress_segmentby = 'device_id', timescaledb.compress_orderby = 'time DESC');
ALTER TABLE locations SET (timescaledb.compress, timescaledb.compress_segmentby = 'device_id', timescaledb.compress_orderby = 'time DESC');
ALTER TABLE device_status SET (timescaledb.compress, timescaledb.compress_segmentby = 'device_id', timescaledb.compress_orderby = 'time DESC');

SELECT add_compression_policy('vitals', INTERVAL '7 days', if_not_exists => TRUE);
SELECT add_compression_policy('locations', INTERVAL '7 days', if_not_exists => TRUE);
SELECT add_compression_policy('device_status', INTERVAL '7 days', if_not_exists => TRUE);

-- Raw readings are kept for two years (trend analysis of chronic conditions); device status for 90 days.
-- Device events are the alarm evidence and are never dropped automatically.
SELECT add_retention_policy('vitals', INTERVAL '730 days', if_not_exists => TRUE);
SELECT add_retention_policy('locations', INTERVAL '180 days', if_not_exists => TRUE);
SELECT add_retention_policy('device_status', INTERVAL '90 days', if_not_exists => TRUE);

CREATE MATERIALIZED VIEW vitals_1m WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 minute', time) AS bucket,
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
GROUP BY bucket, resident_id, device_id
WITH NO DATA;

CREATE MATERIALIZED VIEW vitals_1h WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 hour', time) AS bucket,
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
GROUP BY bucket, resident_id, device_id
WITH NO DATA;

SELECT add_continuous_aggregate_policy('vitals_1m', start_offset => INTERVAL '3 hours', end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '1 minute', if_not_exists => TRUE);
SELECT add_continuous_aggregate_policy('vitals_1h', start_offset => INTERVAL '3 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '30 minutes', if_not_exists => TRUE);
SELECT add_retention_policy('vitals_1m', INTERVAL '30 days', if_not_exists => TRUE);
