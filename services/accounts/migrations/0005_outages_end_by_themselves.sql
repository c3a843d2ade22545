-- Issue 16: an outage may end by itself when the network service's probes find its router
-- answering and diagnoses on it passing again. Detected outages always may; staff choose it
-- for one they declare (`ends_by_itself`), since they may know what a probe cannot see.
ALTER TABLE outages ADD COLUMN ends_by_itself boolean NOT NULL DEFAULT false;
UPDATE outages SET ends_by_itself = true WHERE source = 'detected';
