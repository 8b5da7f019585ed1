-- The agent's partial search (an order-number prefix, a family name, phone digits) reads
-- the orders of a date range; this bounds it to that range.
CREATE INDEX orders_by_receipt ON orders (ord_rcp_dts);
