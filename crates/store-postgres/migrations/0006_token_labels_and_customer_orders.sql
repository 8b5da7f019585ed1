-- ssg-claims, PostgreSQL schema 6: what each platform token is for, as its creator
-- describes it; and a customer's orders, newest first, for `GET /v1/orders?customerId=`.
ALTER TABLE api_tokens ADD COLUMN label text NOT NULL DEFAULT '';

CREATE INDEX orders_by_customer ON orders (customer_id, ord_rcp_dts, ord_no);
