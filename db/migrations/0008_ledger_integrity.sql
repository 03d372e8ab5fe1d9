-- The ledger is the only record of money, so the database guards it too
-- (see docs/decisions/0011-ledger-and-idempotency.md):
-- 1. entries and transactions are append-only: a mistake is corrected by a new,
--    reversing transaction, never by changing history;
-- 2. at commit, every transaction's entries sum to zero per currency, so money
--    is never created or lost whichever code path wrote it;
-- 3. an entry's currency is its account's currency.
CREATE FUNCTION "ledger_append_only"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING HINT = 'Record a reversing ledger transaction instead.';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "ledger_entries_append_only"
  BEFORE UPDATE OR DELETE OR TRUNCATE ON "ledger_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION "ledger_append_only"();--> statement-breakpoint
CREATE TRIGGER "ledger_transactions_append_only"
  BEFORE UPDATE OR DELETE OR TRUNCATE ON "ledger_transactions"
  FOR EACH STATEMENT EXECUTE FUNCTION "ledger_append_only"();--> statement-breakpoint
CREATE FUNCTION "ledger_entry_currency_matches"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "accounts" WHERE "id" = NEW."account_id" AND "currency" = NEW."currency") THEN
    RAISE EXCEPTION 'ledger entry currency % differs from its account''s currency', NEW."currency";
  END IF;
  RETURN NEW;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "ledger_entries_currency"
  BEFORE INSERT ON "ledger_entries"
  FOR EACH ROW EXECUTE FUNCTION "ledger_entry_currency_matches"();--> statement-breakpoint
CREATE FUNCTION "ledger_transaction_balanced"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM "ledger_entries" WHERE "transaction_id" = NEW."transaction_id"
    GROUP BY "currency" HAVING sum("amount_minor") <> 0
  ) THEN
    RAISE EXCEPTION 'ledger transaction % does not balance', NEW."transaction_id";
  END IF;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "ledger_entries_balanced"
  AFTER INSERT ON "ledger_entries"
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION "ledger_transaction_balanced"();
