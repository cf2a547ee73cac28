//! The exception catalogue of DESIGN.md section 4: every kind, its default owner and rule, and the
//! words a person reads. The operating-model document is generated from this table.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Who acts on an exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    Finance,
    Operations,
    Ecommerce,
}

impl Owner {
    pub const ALL: [Owner; 3] = [Owner::Finance, Owner::Operations, Owner::Ecommerce];

    pub fn as_str(self) -> &'static str {
        match self {
            Owner::Finance => "finance",
            Owner::Operations => "operations",
            Owner::Ecommerce => "ecommerce",
        }
    }

    pub fn parse(s: &str) -> Option<Owner> {
        Owner::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a validation rule does to an order: hold it back, or let it flow and flag it for audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Hold,
    Flag,
}

macro_rules! catalogue {
    ($( $variant:ident => $name:literal, $owner:ident, $rule:expr, $when:literal, $action:literal; )*) => {
        /// Every kind of exception Concord can raise.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ExceptionKind { $( $variant, )* }

        impl ExceptionKind {
            pub const ALL: &'static [ExceptionKind] = &[ $( ExceptionKind::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self { $( ExceptionKind::$variant => $name, )* }
            }

            /// The owner when the configuration does not override it.
            pub fn default_owner(self) -> Owner {
                match self { $( ExceptionKind::$variant => Owner::$owner, )* }
            }

            /// `Some(rule)` for order-validation kinds; `None` for kinds that are reports only.
            pub fn default_rule(self) -> Option<Rule> {
                match self { $( ExceptionKind::$variant => $rule, )* }
            }

            /// When this kind is raised, in the catalogue's words.
            pub fn raised_when(self) -> &'static str {
                match self { $( ExceptionKind::$variant => $when, )* }
            }

            /// What the owner should do about it.
            pub fn suggested_action(self) -> &'static str {
                match self { $( ExceptionKind::$variant => $action, )* }
            }
        }
    };
}

catalogue! {
    SkuUnknown => "sku_unknown", Ecommerce, Some(Rule::Hold),
        "an order line's SKU has no Cin7 product",
        "Create the product in Cin7 or correct the SKU in Oro; the order flows by itself once the SKU exists.";
    UnitUnmapped => "unit_unmapped", Operations, Some(Rule::Hold),
        "an Oro unit has no Cin7 SKU or conversion",
        "Create the Cin7 pack product for this unit (its bill of materials sets the pack size) or add a unit override in the config.";
    PriceMismatch => "price_mismatch", Ecommerce, Some(Rule::Flag),
        "a line price differs from the customer's effective Oro price",
        "Check the price list assignment and tiers in Oro; the order was sent at the price the buyer saw.";
    TaxRuleUnmapped => "tax_rule_unmapped", Finance, Some(Rule::Hold),
        "no entry of the tax rule map matches a line's (customer tax code, product tax code), or the shipping charge's",
        "Add an entry for these tax codes to the tax rule map (or correct the codes in Oro); the order flows on re-validation.";
    TaxRateMismatch => "tax_rate_mismatch", Finance, Some(Rule::Hold),
        "Oro charged a line or the shipping a tax that the mapped Cin7 rule's percentage does not give (more than 0.01 apart)",
        "Check the customer's and product's tax codes in Oro and the tax rule map; correct whichever charges the wrong rate, then retry.";
    TaxMismatch => "tax_mismatch", Finance, Some(Rule::Hold),
        "lines + shipping + tax do not add up to the Oro total, or Cin7's totals differ from Oro's",
        "Correct the order's totals in Oro (or confirm them), then retry the order.";
    CurrencyMismatch => "currency_mismatch", Finance, Some(Rule::Hold),
        "the order currency differs from the Cin7 customer's currency",
        "Align the Cin7 customer's currency with the Oro order or bill the order to another account, then retry.";
    CustomerUnmapped => "customer_unmapped", Finance, Some(Rule::Hold),
        "no financial entity can be resolved for the ordering customer",
        "Link the Oro customer to a Cin7 customer (or fix its hierarchy), then retry the order.";
    CustomerPendingApproval => "customer_pending_approval", Finance, Some(Rule::Flag),
        "a new Cin7 customer was created on credit hold",
        "Review the new account in Cin7, set its credit terms and lift the credit hold; its draft orders are then authorised.";
    OrderSyncFailed => "order_sync_failed", Operations, None,
        "retries were exhausted (dead letter)",
        "Look at the last error in the order trail; once the cause is fixed, replay the job.";
    OrderMissingInCin7 => "order_missing_in_cin7", Operations, None,
        "reconciliation: an Oro order has no sale past its SLA",
        "Open the order trail to see why it has not been sent; retry it or resolve its hold.";
    SaleWithoutOrder => "sale_without_order", Operations, None,
        "reconciliation: a Concord sale has no Oro order",
        "Find where the sale came from; void it in Cin7 if it should not exist.";
    OrderTotalMismatch => "order_total_mismatch", Finance, None,
        "reconciliation: sale totals differ from the Oro order",
        "Compare the sale and the order line by line and correct the one that is wrong.";
    OrderStatusMismatch => "order_status_mismatch", Operations, None,
        "the order's state differs between the systems (e.g. cancelled in Oro, still authorised in Cin7)",
        "Bring the two into line: void the sale, or reopen or cancel the Oro order.";
    CancelAfterFulfilment => "cancel_after_fulfilment", Operations, None,
        "an order was cancelled after its sale shipped",
        "Arrange the return or credit note in Cin7; Concord does not void shipped sales.";
    StockDrift => "stock_drift", Operations, None,
        "an Oro level differs from the formula after a sync",
        "Check for edits made directly in Oro; the next stock sync rewrites the level.";
    StockStale => "stock_stale", Operations, None,
        "Cin7 stock data is older than the freshness threshold",
        "Check the Cin7 connection and rate budget; Oro levels are not raised until fresh data arrives.";
    PriceDrift => "price_drift", Ecommerce, None,
        "an Oro price list and its Cin7 price tier disagree",
        "Decide which price is right; with \"Oro wins\" Concord pushes the Oro price to Cin7.";
    HierarchyDrift => "hierarchy_drift", Finance, None,
        "an Oro customer's parent changed against its links",
        "Confirm which Cin7 account should now be billed for this customer.";
    InvalidPayload => "invalid_payload", Operations, Some(Rule::Hold),
        "malformed or impossible data from either API",
        "Open the payload; correct the record at its source, then retry.";
    WebhookRejected => "webhook_rejected", Operations, None,
        "a webhook failed its signature or auth check",
        "Check the webhook secret configured in Oro or Cin7 against Concord's config.";
    Anomaly => "anomaly", Operations, None,
        "a monitoring agent saw lag, failure patterns or volume out of the ordinary",
        "Read the explanation; it names the pattern and the likely root cause.";
    PaymentUnposted => "payment_unposted", Finance, None,
        "an Oro payment capture could not be posted to Cin7 (order cancelled, more than is owed, or no sale within the lag)",
        "Post or refund the payment by hand in Cin7 (or fix the order so it flows); Concord never guesses a payment.";
    PaymentMismatch => "payment_mismatch", Finance, None,
        "reconciliation: Oro's and Cin7's payment totals for an order differ",
        "Compare the sale's payments in Cin7 with the captures in Oro; a payment recorded by hand in Cin7 is the usual cause.";
}

impl ExceptionKind {
    pub fn parse(s: &str) -> Option<ExceptionKind> {
        ExceptionKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for ExceptionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for kind in ExceptionKind::ALL {
            assert_eq!(ExceptionKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(ExceptionKind::ALL.len(), 24);
    }

    #[test]
    fn owners_and_rules_follow_the_design_catalogue() {
        assert_eq!(ExceptionKind::SkuUnknown.default_owner(), Owner::Ecommerce);
        assert_eq!(ExceptionKind::TaxMismatch.default_rule(), Some(Rule::Hold));
        assert_eq!(
            ExceptionKind::PriceMismatch.default_rule(),
            Some(Rule::Flag)
        );
        assert_eq!(
            ExceptionKind::HierarchyDrift.default_owner(),
            Owner::Finance
        );
        assert_eq!(ExceptionKind::StockDrift.default_rule(), None);
        for kind in [
            ExceptionKind::TaxRuleUnmapped,
            ExceptionKind::TaxRateMismatch,
        ] {
            assert_eq!(kind.default_owner(), Owner::Finance);
            assert_eq!(kind.default_rule(), Some(Rule::Hold));
        }
    }
}
