-- What GET /orders/{id} asks PostgreSQL: one order by id and merchant.
SELECT id, merchant_id, amount, currency, status, receipt, notes, created_at, updated_at
  FROM orders WHERE id = :order_id AND merchant_id = :merchant_id;
