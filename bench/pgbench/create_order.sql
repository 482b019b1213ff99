-- What POST /orders asks PostgreSQL: one order inserted, committed on its own.
INSERT INTO orders (id, merchant_id, amount, currency, status, receipt, notes, created_at, updated_at)
  VALUES ('order_' || md5(random()::text || clock_timestamp()::text), :merchant_id,
          50000, 'INR', 'created', NULL, '{}', 1, 1);
