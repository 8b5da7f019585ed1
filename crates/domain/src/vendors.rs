//! The rules of the vendor hierarchy: vendors and their lower-rank vendors, one level deep.
//!
//! A store looks up where each vendor id it needs stands ([`Standing`]) and asks these
//! functions whether an order, a key's scope or a new vendor fits the hierarchy.

use crate::{InvalidValue, NewOrder, Scope, VendorId};

/// Where a vendor id stands in the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// No such vendor is registered.
    Unknown,
    /// A vendor of its own.
    TopLevel,
    /// A lower-rank vendor of the given vendor.
    LowerRankOf(VendorId),
}

/// Every item's vendor must be a registered top-level vendor, and its lower-rank vendor, if
/// any, one registered under it. The error names the item's field as sent.
pub fn check_order_vendors(
    order: &NewOrder,
    standing: impl Fn(&VendorId) -> Standing,
) -> Result<(), InvalidValue> {
    for (index, item) in order.items().iter().enumerate() {
        let field = |name: &str| format!("items[{index}].{name}");
        match standing(&item.vendor) {
            Standing::Unknown => {
                return Err(InvalidValue::new(
                    field("splVenId"),
                    format!("no vendor {} is registered", item.vendor),
                ));
            }
            Standing::LowerRankOf(parent) => {
                return Err(InvalidValue::new(
                    field("splVenId"),
                    format!(
                        "{} is a lower-rank vendor of {parent}: put {parent} in splVenId and {} in lrnkSplVenId",
                        item.vendor, item.vendor
                    ),
                ));
            }
            Standing::TopLevel => {}
        }
        if let Some(lower) = &item.lower_rank
            && standing(lower) != Standing::LowerRankOf(item.vendor.clone())
        {
            return Err(InvalidValue::new(
                field("lrnkSplVenId"),
                format!(
                    "{lower} is not a registered lower-rank vendor of {}",
                    item.vendor
                ),
            ));
        }
    }
    Ok(())
}

/// Why a key cannot have a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeRejection {
    /// The scope's vendor is not registered.
    UnknownVendor(VendorId),
    Invalid(InvalidValue),
}

/// A key's scope must name a top-level vendor and, if narrowed, one of its lower-rank
/// vendors.
pub fn check_key_scope(
    scope: &Scope,
    standing: impl Fn(&VendorId) -> Standing,
) -> Result<(), ScopeRejection> {
    match standing(&scope.vendor) {
        Standing::Unknown => return Err(ScopeRejection::UnknownVendor(scope.vendor.clone())),
        Standing::LowerRankOf(parent) => {
            return Err(ScopeRejection::Invalid(InvalidValue::new(
                "splVenId",
                format!(
                    "{} is a lower-rank vendor of {parent}: issue the key for {parent}, narrowed to {}",
                    scope.vendor, scope.vendor
                ),
            )));
        }
        Standing::TopLevel => {}
    }
    if let Some(lower) = &scope.lower_rank
        && standing(lower) != Standing::LowerRankOf(scope.vendor.clone())
    {
        return Err(ScopeRejection::Invalid(InvalidValue::new(
            "lrnkSplVenId",
            format!("{lower} is not a lower-rank vendor of {}", scope.vendor),
        )));
    }
    Ok(())
}

/// A new lower-rank vendor's parent must be a registered top-level vendor.
pub fn check_parent(parent: &VendorId, standing: Standing) -> Result<(), InvalidValue> {
    match standing {
        Standing::TopLevel => Ok(()),
        Standing::Unknown => Err(InvalidValue::new(
            "parentSplVenId",
            format!("no vendor {parent} is registered"),
        )),
        Standing::LowerRankOf(grandparent) => Err(InvalidValue::new(
            "parentSplVenId",
            format!(
                "{parent} is itself a lower-rank vendor of {grandparent}; lower-rank vendors have one level"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::tests::{item, order};

    fn id(value: &str) -> VendorId {
        VendorId::parse("v", value).unwrap()
    }

    /// A, with lower-rank A1; B.
    fn registry(vendor: &VendorId) -> Standing {
        match vendor.as_str() {
            "0000012345" | "0000023456" => Standing::TopLevel,
            "0000012346" => Standing::LowerRankOf(id("0000012345")),
            _ => Standing::Unknown,
        }
    }

    #[test]
    fn orders_name_registered_vendors_and_their_own_lower_ranks() {
        let mut ok = item(1, "0000012345", 1, 0);
        ok.lower_rank = Some(id("0000012346"));
        assert!(check_order_vendors(&order(vec![ok], &[]).unwrap(), registry).is_ok());

        let unknown = order(
            vec![item(1, "0000012345", 1, 0), item(2, "0000099999", 1, 0)],
            &[],
        )
        .unwrap();
        assert_eq!(
            check_order_vendors(&unknown, registry).unwrap_err().field,
            "items[1].splVenId"
        );

        let lower_as_vendor = order(vec![item(1, "0000012346", 1, 0)], &[]).unwrap();
        let err = check_order_vendors(&lower_as_vendor, registry).unwrap_err();
        assert_eq!(err.field, "items[0].splVenId");
        assert!(err.problem.contains("put 0000012345 in splVenId"));

        let mut foreign = item(1, "0000023456", 1, 0);
        foreign.lower_rank = Some(id("0000012346"));
        let err = check_order_vendors(&order(vec![foreign], &[]).unwrap(), registry).unwrap_err();
        assert_eq!(err.field, "items[0].lrnkSplVenId");
    }

    #[test]
    fn key_scopes_and_parents() {
        let scope = |vendor: &str, lower: Option<&str>| Scope {
            vendor: id(vendor),
            lower_rank: lower.map(id),
        };
        assert!(check_key_scope(&scope("0000012345", Some("0000012346")), registry).is_ok());
        assert_eq!(
            check_key_scope(&scope("0000099999", None), registry),
            Err(ScopeRejection::UnknownVendor(id("0000099999")))
        );
        assert!(matches!(
            check_key_scope(&scope("0000012346", None), registry),
            Err(ScopeRejection::Invalid(err)) if err.field == "splVenId"
        ));
        assert!(matches!(
            check_key_scope(&scope("0000023456", Some("0000012346")), registry),
            Err(ScopeRejection::Invalid(err)) if err.field == "lrnkSplVenId"
        ));
        assert!(check_parent(&id("0000012345"), Standing::TopLevel).is_ok());
        assert_eq!(
            check_parent(&id("0000099999"), Standing::Unknown)
                .unwrap_err()
                .field,
            "parentSplVenId"
        );
        assert!(check_parent(&id("0000012346"), Standing::LowerRankOf(id("0000012345"))).is_err());
    }
}
