-- The audit log is append-only. No code path updates or deletes an audit event,
-- and the database refuses it too, whoever asks: UPDATE, DELETE and TRUNCATE of
-- audit_events raise, so an event can only be added. See docs/decisions/0007-append-only-audit-log.md.
CREATE FUNCTION "audit_events_append_only"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
    USING HINT = 'Audit events are never changed or removed; record a new event instead.';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "audit_events_append_only"
  BEFORE UPDATE OR DELETE OR TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_append_only"();
