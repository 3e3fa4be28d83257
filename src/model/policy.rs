//! The booking policy: weights and notice.

use super::referral::{ReferralPriority, SurgicalPriority};
use serde::{Deserialize, Serialize};

/// Weight of one breach of each clinical priority, in the tier-1 objective (weighted breaches).
///
/// A referral's weight is the larger of its referral-priority weight and, when it has one, its
/// surgical-class weight. The defaults double per step of urgency so that one urgent
/// suspected cancer breach outweighs fifteen routine ones; every weight must be at least 1.
/// The same weight scales the referral's tier-2 (treat in turn) cost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BreachWeights {
    /// Routine referral. Default 1.
    pub routine: u32,
    /// Urgent referral. Default 4.
    pub urgent: u32,
    /// Urgent suspected cancer. Default 16.
    pub urgent_suspected_cancer: u32,
    /// Surgical P1a (24 hours). Default 64.
    pub p1a: u32,
    /// Surgical P1b (72 hours). Default 32.
    pub p1b: u32,
    /// Surgical P2 (1 month). Default 16.
    pub p2: u32,
    /// Surgical P3 (3 months). Default 4.
    pub p3: u32,
    /// Surgical P4 (longer than 3 months). Default 1.
    pub p4: u32,
}

impl Default for BreachWeights {
    fn default() -> Self {
        Self {
            routine: 1,
            urgent: 4,
            urgent_suspected_cancer: 16,
            p1a: 64,
            p1b: 32,
            p2: 16,
            p3: 4,
            p4: 1,
        }
    }
}

impl BreachWeights {
    /// The weight of a referral with these priorities: the larger of the two classes' weights.
    pub fn weight(&self, priority: ReferralPriority, surgical: Option<SurgicalPriority>) -> u32 {
        let referral = match priority {
            ReferralPriority::Routine => self.routine,
            ReferralPriority::Urgent => self.urgent,
            ReferralPriority::UrgentSuspectedCancer => self.urgent_suspected_cancer,
        };
        let surgical = match surgical {
            None => 0,
            Some(SurgicalPriority::P1a) => self.p1a,
            Some(SurgicalPriority::P1b) => self.p1b,
            Some(SurgicalPriority::P2) => self.p2,
            Some(SurgicalPriority::P3) => self.p3,
            Some(SurgicalPriority::P4) => self.p4,
        };
        referral.max(surgical)
    }

    pub(crate) fn all(&self) -> [(&'static str, u32); 8] {
        [
            ("routine", self.routine),
            ("urgent", self.urgent),
            ("urgent_suspected_cancer", self.urgent_suspected_cancer),
            ("p1a", self.p1a),
            ("p1b", self.p1b),
            ("p2", self.p2),
            ("p3", self.p3),
            ("p4", self.p4),
        ]
    }
}

/// How bookings are made: notice and weights. Every field has a default, so `{}` is a policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// Minimum notice in days: no booking on a date earlier than the planning date plus this,
    /// unless the referral accepts short notice. A reasonable offer gives at least 21 days
    /// (RTT rules v5.0, reasonableness); default 0.
    pub min_notice_days: u32,
    /// Tier-1 breach weights by clinical priority.
    pub breach_weights: BreachWeights,
    /// Tier-3 penalty, in kilometres of extra travel, for booking a patient who named preferred
    /// sites at a site not among them. Default 10 km.
    pub non_preferred_site_km: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            min_notice_days: 0,
            breach_weights: BreachWeights::default(),
            non_preferred_site_km: 10.0,
        }
    }
}
