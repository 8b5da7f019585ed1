//! Every form and query string the console reads, each a type: a `Deserialize` struct whose
//! fields keep what was typed (so a page can show it again), and a table of its fields'
//! names that the pages' inputs use. A field's name is written once, here.
//!
//! A form that changes state carries the session's CSRF token; [`super::session::Posted`]
//! refuses one without it before its handler runs.

use std::collections::BTreeMap;
use std::fmt;

use claims_domain::ItemSeq;
use serde::Deserialize;
use serde::de::{MapAccess, Visitor};

/// A form or a query string: its fields as typed (missing ones empty), and its names.
macro_rules! fields {
    (
        $(#[$meta:meta])*
        $name:ident / $names:ident {
            $($(#[$field_meta:meta])* $field:ident = $wire:literal,)*
            $(.. $rest:ident: $rest_ty:ty,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(default)]
        pub(crate) struct $name {
            $($(#[$field_meta])* #[serde(rename = $wire)] pub $field: String,)*
            $(#[serde(flatten)] pub $rest: $rest_ty,)?
        }

        /// The names of the fields, as the page's inputs (and links) carry them. Not every
        /// page writes every field.
        #[derive(Debug, Clone, Copy)]
        #[allow(dead_code)]
        pub(crate) struct $names {
            $(pub $field: &'static str,)*
        }

        #[allow(dead_code)]
        impl $name {
            pub const NAMES: $names = $names { $($field: $wire,)* };
        }
    };
}

/// A form that changes state: it carries the session's CSRF token.
pub(crate) trait Posting {
    fn csrf(&self) -> &str;
}

/// Declares a form that changes state, with its `csrf` field.
macro_rules! posting {
    (
        $(#[$meta:meta])*
        $name:ident / $names:ident {
            $($(#[$field_meta:meta])* $field:ident = $wire:literal,)*
            $(.. $rest:ident: $rest_ty:ty,)?
        }
    ) => {
        fields! {
            $(#[$meta])*
            $name / $names {
                /// The session's CSRF token (read through [`Posting`]).
                #[allow(dead_code)]
                csrf = "csrf",
                $($(#[$field_meta])* $field = $wire,)*
                $(.. $rest: $rest_ty,)?
            }
        }

        impl Posting for $name {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        }
    };
}

fields! {
    /// `/console/language`: switch the console's language, and go back.
    LanguageQuery / LanguageNames {
        to = "to",
        next = "next",
    }
}

fields! {
    /// The sign-in page's query: where to go afterwards.
    SignInQuery / SignInQueryNames {
        next = "next",
    }
}

fields! {
    /// The sign-in form. Its token is tied to the browser by a cookie, not to a session.
    SignInForm / SignInNames {
        login = "login",
        /// Not trimmed: a password is exactly what was typed.
        password = "password",
        csrf = "csrf",
        next = "next",
    }
}

posting! {
    /// Sign-out: nothing but the token.
    SignOutForm / SignOutNames {}
}

fields! {
    /// `/console/orders?q=`: what to look for, and the days an orderer's name is looked for.
    SearchQuery / SearchNames {
        q = "q",
        from = "from",
        to = "to",
    }
}

fields! {
    /// `/console/orders/{ordNo}`: what the redirect after an action says was done.
    OrderQuery / OrderQueryNames {
        claim = "claim",
        request = "request",
        /// A return or exchange filed (its claim number), or `withdrawn=` one.
        pickup = "pickup",
        withdrawn = "withdrawn",
        /// A cancel request withdrawn from this page (its id).
        request_withdrawn = "requestWithdrawn",
    }
}

posting! {
    /// Withdraws a pending cancel request of the order, on the customer's word.
    RequestWithdrawalForm / RequestWithdrawalNames {
        request_id = "requestId",
    }
}

posting! {
    /// The agent's return or exchange form: units per item (`qty_{seq}`), for an exchange
    /// the replacement's option (`uitemId_{seq}`), the reason, details; on the preview's
    /// confirmation also `confirm=1`, the order's state as previewed and the preview's
    /// one-time token.
    PickupForm / PickupNames {
        clm_rsn_cd = "clmRsnCd",
        clm_rsn_cntt = "clmRsnCntt",
        confirm = "confirm",
        version = "version",
        confirmation = "confirmation",
        .. lines: PickupLines,
    }
}

posting! {
    /// Withdraws a return or an exchange (회수철회) from the order page.
    PickupWithdrawForm / PickupWithdrawNames {
        clm_no = "clmNo",
    }
}

fields! {
    /// `/console/returns`: the period the pickups were filed in, a kind (`21`, `22`), a
    /// state (`61`, `63`, `64`, `66`), the page; and what the redirect after an action says
    /// was done.
    ReturnsQuery / ReturnsNames {
        /// An operator's choice of vendor.
        vendor = "vendor",
        from = "from",
        to = "to",
        kind = "kind",
        state = "state",
        page = "page",
        did = "did",
        shpp_no = "shppNo",
        /// After a bulk completion: how many were completed, and how many could not be.
        count = "count",
        failed = "failed",
    }
}

posting! {
    /// Completes every picked pickup at once (`pick_{shppNo}` = its units), as the returns
    /// list had them; and the list's query to return to.
    PickupBulkForm / PickupBulkNames {
        vendor = "vendor",
        back = "back",
        .. picked: Picked,
    }
}

posting! {
    /// A vendor's step on one pickup: `confirm` (by courier `22` with the carrier and
    /// waybill, or own delivery `14`), `complete`, or `refuse` (a reason and a memo); and
    /// the list's query to return to.
    PickupStepForm / PickupStepNames {
        /// An operator's choice of vendor, as the list had it.
        vendor = "vendor",
        shpp_no = "shppNo",
        qty = "qty",
        step = "step",
        shpp_type_dtl_cd = "shppTypeDtlCd",
        delico_ven_id = "delicoVenId",
        wbl_no = "wblNo",
        ret_refus_rsn_cd = "retRefusRsnCd",
        memo = "retProcMemoCntt",
        back = "back",
    }
}

posting! {
    /// The agent's cancel form: units per item, the reason, who is at fault, details; on
    /// the preview's confirmation also `confirm=1`, the order's state as previewed and the
    /// preview's one-time token.
    CancelForm / CancelNames {
        clm_rsn_cd = "clmRsnCd",
        impt_div_cd = "imptDivCd",
        clm_rsn_cntt = "clmRsnCntt",
        confirm = "confirm",
        version = "version",
        confirmation = "confirmation",
        .. quantities: Quantities,
    }
}

fields! {
    /// `/console/cancellations?from=&to=` (and the downloads and the dashboard): the
    /// period, an operator's choice of vendor, a lower-rank vendor, an original order.
    WeekQuery / WeekNames {
        from = "from",
        to = "to",
        vendor = "vendor",
        lrnk = "lrnk",
        ord_no = "ordNo",
        /// `fields`: every field of the inquiry, as the API names them (the downloads'
        /// columns); otherwise the columns staff read.
        view = "view",
    }
}

fields! {
    /// `/console/shipping`: the queue shown (`tab`), a search, the page; what the redirect
    /// after a one-item action says was done (`did`, `ordNo`, `seq`); after a bulk action
    /// or a waybill sheet, what it did (`op`, `ok`) and each row that did not go as asked
    /// (`rows`, see the shipping page's outcomes).
    ShippingQuery / ShippingQueryNames {
        tab = "tab",
        q = "q",
        page = "page",
        did = "did",
        ord_no = "ordNo",
        seq = "seq",
        op = "op",
        ok = "ok",
        rows = "rows",
        more = "more",
    }
}

posting! {
    /// The shipping queue's bulk form: the button pressed names what to do (`op`, for the
    /// items picked) or one item (`only` = `{op}:{shppNo}`); the queue to return to; per
    /// item, its checkbox (`pick_{shppNo}`), carrier (`dlco_{shppNo}`), waybill
    /// (`wbl_{shppNo}`) and the word that rejects its cancel request (`reject_{shppNo}`);
    /// `rejectRequests=1` says that word for every item picked.
    BulkShippingForm / BulkShippingNames {
        op = "op",
        only = "only",
        tab = "tab",
        q = "q",
        page = "page",
        reject_requests = "rejectRequests",
        .. rows: ShippingRows,
    }
}

/// What the shipping queue's bulk form holds per item, by shipping number.
#[derive(Debug, Clone, Default)]
pub(crate) struct ShippingRows {
    pub picked: BTreeMap<u64, String>,
    pub carrier: BTreeMap<u64, String>,
    pub waybill: BTreeMap<u64, String>,
    pub reject: BTreeMap<u64, String>,
}

impl ShippingRows {
    const PREFIXES: [&'static str; 4] = ["pick_", "dlco_", "wbl_", "reject_"];

    pub fn pick_name(shpp_no: u64) -> String {
        format!("{}{shpp_no}", Self::PREFIXES[0])
    }

    pub fn carrier_name(shpp_no: u64) -> String {
        format!("{}{shpp_no}", Self::PREFIXES[1])
    }

    pub fn waybill_name(shpp_no: u64) -> String {
        format!("{}{shpp_no}", Self::PREFIXES[2])
    }

    pub fn reject_name(shpp_no: u64) -> String {
        format!("{}{shpp_no}", Self::PREFIXES[3])
    }

    /// What was typed for item `shpp_no` in `map`, trimmed ("" when nothing).
    pub fn typed(map: &BTreeMap<u64, String>, shpp_no: u64) -> &str {
        map.get(&shpp_no).map_or("", |typed| typed.trim())
    }
}

impl<'de> Deserialize<'de> for ShippingRows {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let [picked, carrier, waybill, reject] = numbered(deserializer, ShippingRows::PREFIXES)?;
        Ok(ShippingRows {
            picked,
            carrier,
            waybill,
            reject,
        })
    }
}

posting! {
    /// A shipping action on one item: confirm, release, approve its cancel request. An
    /// exchange's replacement is named by its shipping number (`shppNo`) instead.
    ItemForm / ItemNames {
        ord_no = "ordNo",
        ord_item_seq = "ordItemSeq",
        shpp_no = "shppNo",
        /// `1`: release although the customer asked to cancel — their request is rejected.
        reject_request = "rejectRequest",
    }
}

posting! {
    /// Registers an item as out of stock (판매불가), or withdraws its registration
    /// (`scEvnt` `D`), as `saveNoSellRequestRegist` does.
    NoSellForm / NoSellNames {
        ord_no = "ordNo",
        ord_item_seq = "ordItemSeq",
        item_id = "itemId",
        sc_evnt = "scEvnt",
        shortg_rsn_cd = "shortgRsnCd",
        shortg_proc_dtlc = "shortgProcDtlc",
    }
}

posting! {
    /// A delay notice (출고지연) for an item: the reason and the new release date
    /// (`yyyy-mm-dd`, from the date picker).
    DelayForm / DelayNames {
        ord_no = "ordNo",
        ord_item_seq = "ordItemSeq",
        item_id = "itemId",
        shortg_rsn_cd = "shortgRsnCd",
        whin_expc_dt = "whinExpcDt",
    }
}

posting! {
    /// Registers a vendor (a lower-rank one when `parent` is given).
    VendorForm / VendorNames {
        id = "id",
        name = "name",
        parent = "parent",
    }
}

posting! {
    /// Issues an API key for a vendor, narrowed to a lower-rank vendor when `lrnk` is given.
    KeyForm / KeyNames {
        vendor = "vendor",
        lrnk = "lrnk",
        /// The form's one-time token: a second submit of the same form issues nothing.
        once = "once",
    }
}

posting! {
    /// Revokes an API key.
    RevokeKeyForm / RevokeKeyNames {
        key_id = "keyId",
        /// `1`: the operator confirmed it.
        confirm = "confirm",
    }
}

posting! {
    /// Creates a platform token.
    TokenForm / TokenNames {
        role = "role",
        label = "label",
        /// The form's one-time token: a second submit of the same form creates nothing.
        once = "once",
    }
}

posting! {
    /// Revokes a platform token.
    RevokeTokenForm / RevokeTokenNames {
        token_id = "tokenId",
        /// `1`: the operator confirmed it.
        confirm = "confirm",
    }
}

posting! {
    /// Adds a console user.
    UserForm / UserNames {
        login = "login",
        role = "role",
        vendor = "vendor",
        lrnk = "lrnk",
        /// Not trimmed: a password is exactly what was typed.
        password = "password",
    }
}

posting! {
    /// Removes a console user.
    DeleteUserForm / DeleteUserNames {
        login = "login",
        /// `1`: the operator confirmed it.
        confirm = "confirm",
    }
}

fields! {
    /// An admin page after an action: what was done (`did`) to what (`id`), worded by the
    /// page.
    AdminDone / AdminDoneNames {
        did = "did",
        id = "id",
    }
}

/// The units typed per item of a cancel form, under `qty_{ordItemSeq}`; other fields are
/// passed over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Quantities(BTreeMap<u64, String>);

impl Quantities {
    const PREFIX: &'static str = "qty_";

    /// The field of item `seq`.
    pub fn name(seq: ItemSeq) -> String {
        format!("{}{seq}", Self::PREFIX)
    }

    /// What was typed for item `seq`, trimmed ("" when nothing).
    pub fn typed(&self, seq: ItemSeq) -> &str {
        self.0
            .get(&u64::from(seq.get()))
            .map_or("", |typed| typed.trim())
    }
}

impl<'de> Deserialize<'de> for Quantities {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let [typed] = numbered(deserializer, [Quantities::PREFIX])?;
        Ok(Quantities(typed))
    }
}

/// What a return or exchange form holds per item: its units (`qty_{seq}`) and, for an
/// exchange, the replacement's option (`uitemId_{seq}`), as typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct PickupLines {
    qty: BTreeMap<u64, String>,
    uitem: BTreeMap<u64, String>,
}

impl PickupLines {
    const OPTION_PREFIX: &'static str = "uitemId_";

    /// The units field of item `seq` (the cancel form's name).
    pub fn qty_name(seq: ItemSeq) -> String {
        Quantities::name(seq)
    }

    /// The replacement option field of item `seq`.
    pub fn option_name(seq: ItemSeq) -> String {
        format!("{}{seq}", Self::OPTION_PREFIX)
    }

    pub fn qty(&self, seq: ItemSeq) -> &str {
        self.qty
            .get(&u64::from(seq.get()))
            .map_or("", |typed| typed.trim())
    }

    pub fn option(&self, seq: ItemSeq) -> &str {
        self.uitem
            .get(&u64::from(seq.get()))
            .map_or("", |typed| typed.trim())
    }
}

impl<'de> Deserialize<'de> for PickupLines {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let [qty, uitem] = numbered(
            deserializer,
            [Quantities::PREFIX, PickupLines::OPTION_PREFIX],
        )?;
        Ok(PickupLines { qty, uitem })
    }
}

/// The pickups a bulk form picked: `pick_{shppNo}` = the pickup's units, as checked.
#[derive(Debug, Clone, Default)]
pub(crate) struct Picked(BTreeMap<u64, String>);

impl Picked {
    const PREFIX: &'static str = "pick_";

    /// The checkbox of pickup `shpp_no`.
    pub fn name(shpp_no: u64) -> String {
        format!("{}{shpp_no}", Self::PREFIX)
    }

    /// The pickups picked, by shipping number, with the units as typed.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &str)> {
        self.0.iter().map(|(no, qty)| (*no, qty.trim()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl<'de> Deserialize<'de> for Picked {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let [picked] = numbered(deserializer, [Picked::PREFIX])?;
        Ok(Picked(picked))
    }
}

/// The fields of a form named a prefix and a number (`qty_3`), as typed, by number: one
/// map per prefix, in the order given; every other field is passed over.
fn numbered<'de, D: serde::Deserializer<'de>, const N: usize>(
    deserializer: D,
    prefixes: [&'static str; N],
) -> Result<[BTreeMap<u64, String>; N], D::Error> {
    struct Fields<const N: usize>([&'static str; N]);

    impl<'de, const N: usize> Visitor<'de> for Fields<N> {
        type Value = [BTreeMap<u64, String>; N];

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("form fields")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found: [BTreeMap<u64, String>; N] = std::array::from_fn(|_| BTreeMap::new());
            while let Some((name, value)) = map.next_entry::<String, String>()? {
                let numbered = self.0.iter().enumerate().find_map(|(index, prefix)| {
                    let n = name.strip_prefix(prefix)?.parse::<u64>().ok()?;
                    Some((index, n))
                });
                if let Some((index, n)) = numbered {
                    found[index].insert(n, value);
                }
            }
            Ok(found)
        }
    }

    deserializer.deserialize_map(Fields(prefixes))
}

/// A value that was given: trimmed, and not empty.
pub(crate) fn given(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancel_form_reads_its_fields_and_every_quantity() {
        let form: CancelForm = serde_urlencoded::from_str(
            "csrf=t&qty_1=2&qty_12=+1+&clmRsnCd=251&imptDivCd=10&qty_x=9&other=1",
        )
        .unwrap();
        assert_eq!(form.csrf, "t");
        assert_eq!(form.clm_rsn_cd, "251");
        assert_eq!(form.confirm, "", "a missing field is empty");
        let seq = |n| ItemSeq::new("s", n).unwrap();
        assert_eq!(form.quantities.typed(seq(1)), "2");
        assert_eq!(form.quantities.typed(seq(12)), "1");
        assert_eq!(form.quantities.typed(seq(3)), "");
        assert_eq!(Quantities::name(seq(12)), "qty_12");
        assert_eq!(CancelForm::NAMES.clm_rsn_cd, "clmRsnCd");
        assert_eq!(CancelForm::NAMES.csrf, "csrf");
    }
}

fields! {
    /// `/console/sandbox`: whose report (the operator picks a vendor).
    SandboxQuery / SandboxQueryNames {
        vendor = "splVenId",
    }
}
