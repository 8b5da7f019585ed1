//! The vendor's notice forms on an open item: out of stock (판매불가, canceled at 17:00 the
//! next day unless withdrawn first) and a delay (출고지연).

use claims_domain::{DelayReason, KstDate, MAX_DELAY_DAYS, NoSellReason};
use maud::{Markup, html};

use super::queue::ItemRow;
use crate::console::forms::{DelayForm, NoSellForm};
use crate::console::session::Signed;
use crate::console::text::{Words, code_name, iso};

/// The vendor's notices for an open item: withdrawing its out-of-stock registration while
/// one is in force; otherwise registering one (reason and words) or sending a delay notice
/// (reason and the new date, tomorrow to 30 days ahead), folded away under one summary.
pub(super) fn notices(me: &Signed, today: KstDate, item: &ItemRow) -> Markup {
    let lang = me.lang;
    let no_sell = NoSellForm::NAMES;
    let delay = DelayForm::NAMES;
    let hidden = |csrf: &str, ord_no: &str, seq: &str, item_id: &str| {
        html! {
            input type="hidden" name=(csrf) value=(me.csrf);
            input type="hidden" name=(ord_no) value=(item.ord_no);
            input type="hidden" name=(seq) value=(item.seq);
            input type="hidden" name=(item_id) value=(item.item_id);
        }
    };
    let id = format!("{}-{}", item.ord_no, item.seq);
    html! {
        @if item.registered.is_some() {
            form.inline method="post" action="/console/shipping/no-sell" {
                (hidden(no_sell.csrf, no_sell.ord_no, no_sell.ord_item_seq, no_sell.item_id))
                input type="hidden" name=(no_sell.sc_evnt) value="D";
                button type="submit" class="secondary" aria-label={ (lang.t("판매불가 철회", "Withdraw out of stock")) " " (item.ord_no) " #" (item.seq) } {
                    (lang.t("판매불가 철회", "Withdraw out of stock"))
                }
            }
        } @else {
            details.notices {
                summary { (lang.t("판매불가·지연", "Out of stock · delay")) }
                form.notice-form method="post" action="/console/shipping/no-sell" {
                    (hidden(no_sell.csrf, no_sell.ord_no, no_sell.ord_item_seq, no_sell.item_id))
                    input type="hidden" name=(no_sell.sc_evnt) value="I";
                    label for={ "nosell-reason-" (id) } { (lang.t("판매불가 사유", "Reason")) }
                    select id={ "nosell-reason-" (id) } name=(no_sell.shortg_rsn_cd) {
                        @for reason in NoSellReason::ALL {
                            option value=(reason.code()) selected[*reason == NoSellReason::OutOfStock] {
                                (reason.code()) " " (code_name(lang, reason.name(), reason.english()))
                            }
                        }
                    }
                    label for={ "nosell-text-" (id) } { (lang.t("내용 (고객에게 보이는 취소 사유)", "Details (the customer sees them)")) }
                    input id={ "nosell-text-" (id) } name=(no_sell.shortg_proc_dtlc) maxlength=(NO_SELL_TEXT_MAX) type="text";
                    button type="submit" class="danger" { (lang.t("판매불가 등록 (내일 17:00 취소)", "Register out of stock (canceled 17:00 tomorrow)")) }
                }
                form.notice-form method="post" action="/console/shipping/delay" {
                    (hidden(delay.csrf, delay.ord_no, delay.ord_item_seq, delay.item_id))
                    label for={ "delay-reason-" (id) } { (lang.t("지연 사유", "Delay reason")) }
                    select id={ "delay-reason-" (id) } name=(delay.shortg_rsn_cd) {
                        @for reason in DelayReason::ALL {
                            option value=(reason.code()) { (reason.code()) " " (code_name(lang, reason.name(), reason.english())) }
                        }
                    }
                    label for={ "delay-date-" (id) } { (lang.t("출고 예정일", "New release date")) }
                    input id={ "delay-date-" (id) } name=(delay.whin_expc_dt) type="date" required
                        min=(iso(today.plus_days(1))) max=(iso(today.plus_days(MAX_DELAY_DAYS)))
                        value=(iso(item.delay.as_ref().map_or(today.plus_days(1), |delay| delay.until)));
                    button type="submit" class="secondary" { (lang.t("출고지연 안내", "Send delay notice")) }
                }
            }
        }
    }
}

/// The longest out-of-stock text, as the vendor call takes it.
pub(super) const NO_SELL_TEXT_MAX: usize = claims_wire::calls::NO_SELL_TEXT_MAX_CHARS;
