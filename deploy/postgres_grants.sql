-- What the portal's own PostgreSQL role may do. Run as the database's owner (the role that runs
-- `flask db upgrade` and owns every table) after each upgrade: `psql -f deploy/postgres_grants.sql`.
--
-- The portal runs as portal_app, which owns nothing: it cannot DROP, ALTER or DISABLE the audit
-- log's triggers (only a table's owner or a superuser can), cannot create objects, and may only
-- read and append to the audit log.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO portal_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO portal_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO portal_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries FROM portal_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM portal_app;
