-- ssg-claims, SQLite schema 15: delivery (배송완료). A released item records when it reached
-- the customer; the vendor's delivered list reads it by delivery date or by release date.
ALTER TABLE order_items ADD COLUMN delivered_at INTEGER;
CREATE INDEX order_items_delivered ON order_items (spl_ven_id, delivered_at)
    WHERE delivered_at IS NOT NULL;
CREATE INDEX order_items_delivered_by_release ON order_items (spl_ven_id, shipped_at)
    WHERE delivered_at IS NOT NULL;
