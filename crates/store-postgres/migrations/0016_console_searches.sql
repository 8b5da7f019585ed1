-- The agent's partial search (an order-number prefix, a family name, phone digits) reads
-- the orders of a date range; this bounds it to that range.
CREATE INDEX orders_by_receipt ON orders (ord_rcp_dts);

-- The agent's first screen lists the orders they last acted on: their cancellations,
-- cancel requests, returns and exchanges, newest first.
CREATE INDEX claims_by_agent ON claims (agent_id, ord_cncl_dts) WHERE agent_id IS NOT NULL;
CREATE INDEX cancel_requests_by_agent ON cancel_requests (agent_id, clm_demnd_dts);
CREATE INDEX pickup_claims_by_agent ON pickup_claims (agent_id, filed_at) WHERE agent_id IS NOT NULL;
