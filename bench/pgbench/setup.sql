-- One merchant and one order for the scenarios to use.
INSERT INTO merchants (id, name, email, api_key, secret_hash, created_at, updated_at)
  VALUES ('m_bench', 'Bench', 'bench@example.com', 'key_bench', 'unused', 1, 1);
INSERT INTO orders (id, merchant_id, amount, currency, status, receipt, notes, created_at, updated_at)
  VALUES ('order_bench', 'm_bench', 50000, 'INR', 'created', NULL, '{}', 1, 1);
