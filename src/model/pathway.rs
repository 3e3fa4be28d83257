//! Pathway steps: referrals of one pathway that must happen in order.

use super::ids::ReferralId;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What must come before a pathway step.
///
/// JSON: `{"referral": "R1"}` or `{"done_on": "2026-11-02"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Prerequisite {
    /// Another referral of the problem, which must be booked (or pinned) first.
    Referral(ReferralId),
    /// An earlier step already carried out on this NHS date.
    DoneOn(NaiveDate),
}

/// An order between two steps of a pathway (scan, then results clinic, then operation):
/// `after` may be booked only if `before` is booked or done, and its NHS date must be at least
/// `min_gap_days` after the date of `before`; it must also start after `before` ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathwayStep {
    /// The earlier step.
    pub before: Prerequisite,
    /// The later referral.
    pub after: ReferralId,
    /// Minimum days between the two NHS dates (0: the same day, later in the day).
    #[serde(default)]
    pub min_gap_days: u32,
}
