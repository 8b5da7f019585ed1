-- The items a vendor may release are the confirmed ones and the delayed ones (a delay
-- notice counts as a confirmation for the vendor's calls), with units open. The index
-- made for them named the confirmed ones only, so the lists that ask for both
-- (listWarehouseOut, the console's release queue and its count of waiting work) could not
-- use it and read every item of the store instead. It now names exactly what they ask.
DROP INDEX order_items_to_release;
CREATE INDEX order_items_to_release ON order_items (spl_ven_id, ord_rcp_dts)
    WHERE (confirmed_at IS NOT NULL OR delay_nts > 0) AND shipped_qty = 0 AND canceled_qty < qty;
