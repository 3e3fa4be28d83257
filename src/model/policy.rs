//! The booking policy: the objective (an ordered list of tiers of named terms), priority
//! weights, notice and snapshot look-ahead.

use super::referral::{ReferralPriority, SurgicalPriority};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Weight of each clinical priority, used by the terms that weigh referrals by priority:
/// [`Term::ClinicalDaysLate`] (weight × days late), [`Term::TreatInTurn`] (weight × days²) and
/// [`Term::ClockStopBreaches`] (weight per breach). The snapshot counts are unweighted.
///
/// A referral's weight is the larger of its referral-priority weight and, when it has one, its
/// surgical-class weight. The defaults double per step of urgency so that one urgent
/// suspected cancer breach outweighs fifteen routine ones; every weight must be at least 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

/// How bookings are made: the objective, notice, weights and look-ahead. Every field has a
/// default, so `{}` is a policy (the `nhs_england` objective).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// What "optimal" means: a preset name or an explicit list of tiers ([`Objective`]).
    /// Default `"nhs_england"`.
    pub objective: Objective,
    /// Minimum notice in days: no booking on a date earlier than the planning date plus this,
    /// unless the referral accepts short notice. A reasonable offer gives at least 21 days
    /// (RTT rules v5.0, reasonableness); default 0.
    pub min_notice_days: u32,
    /// Priority weights ([`BreachWeights`]).
    pub breach_weights: BreachWeights,
    /// Travel-regret penalty, in kilometres of extra travel, for booking a patient who named
    /// preferred sites at a site not among them. Default 10 km.
    pub non_preferred_site_km: f64,
    /// Days after the horizon end of the last snapshot date
    /// ([`crate::rules::snapshot_dates`]), so that a patient who crosses 18 or 52 weeks in the
    /// week after the horizon still counts. Default 7 (one week: the next weekly planning
    /// run); 0 measures at the horizon end only.
    pub look_ahead_days: u32,
    /// Clinical target of an urgent (and of an urgent suspected cancer) referral, in days from
    /// the running clock start, used by [`Term::ClinicalDaysLate`] when no cancer standard or
    /// surgical class sets an earlier deadline. Default 28. England sets no national target for
    /// urgent non-cancer referrals: 28 days is this crate's assumption, the 4 weeks that
    /// surgical P2 ("within 1 month") and the cancer Faster Diagnosis Standard also use; set
    /// your trust's own. At least 1.
    pub urgent_target_days: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            objective: Objective::default(),
            min_notice_days: 0,
            breach_weights: BreachWeights::default(),
            non_preferred_site_km: 10.0,
            look_ahead_days: 7,
            urgent_target_days: 28,
        }
    }
}

/// A named term of the objective: a cost on one (referral, appointment date) pair or on leaving
/// the referral unbooked. Every date-based term counts an unbooked referral as seen the day after
/// the last snapshot date; waits run from the running clock start
/// ([`crate::rules::running_clock_start`]). Each is computed by its own function in
/// `formulation::terms`, whose doc gives the source.
///
/// JSON: the snake-case name, for example `"waiting_over_52_weeks"`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Term {
    /// One per confirmed existing booking left unbooked while its slot still exists and is
    /// free: a hospital cancellation (chosen, or forced when the patient can no longer use the
    /// slot and no other has room). Unit: appointments.
    CancelledConfirmed,
    /// Priority weight × days seen after the referral's clinical deadline
    /// ([`crate::rules::clinical_deadline`]). Unit: weighted days.
    ClinicalDaysLate,
    /// One per cancer standard (FDS 28 days, 62 days, 31 days) missed, counted on clock stops:
    /// seen after the limit, or unbooked with the limit on or before the horizon end. Unit:
    /// breaches.
    CancerBreaches,
    /// RTT referrals still waiting, at a snapshot date, 729 days or more (over 104 weeks), one
    /// per snapshot date. Unit: patient-snapshots.
    #[serde(rename = "waiting_over_104_weeks")]
    WaitingOver104Weeks,
    /// As above, 547 days or more (over 78 weeks).
    #[serde(rename = "waiting_over_78_weeks")]
    WaitingOver78Weeks,
    /// As above, 456 days or more (over 65 weeks).
    #[serde(rename = "waiting_over_65_weeks")]
    WaitingOver65Weeks,
    /// As above, 365 days or more (over 52 weeks).
    #[serde(rename = "waiting_over_52_weeks")]
    WaitingOver52Weeks,
    /// RTT referrals still waiting, at a snapshot date, more than 126 days (over 18 weeks).
    #[serde(rename = "rtt_over_18_weeks")]
    RttOver18Weeks,
    /// Referrals on the `diagnostic_6_weeks` standard still waiting, at a snapshot date, 42
    /// days or more (DM01 counts waits of 6 weeks or more).
    #[serde(rename = "diagnostic_over_6_weeks")]
    DiagnosticOver6Weeks,
    /// Referrals on the `cancer_62_days` standard still waiting, at a snapshot date, more than
    /// 62 days (the backlog NHS England tracks weekly).
    #[serde(rename = "cancer_over_62_days")]
    CancerOver62Days,
    /// Priority weight × (days waited at the appointment)². Convex, so capacity goes to the
    /// longest waiter of a priority first. Unit: weighted day².
    TreatInTurn,
    /// Each confirmed existing booking moved to another slot or left unbooked while its slot
    /// still exists and is free: 1, or 2 when the original date is inside the
    /// minimum notice period (the patient was expecting to attend within it). Unit: weighted
    /// changes.
    Disruption,
    /// Metres travelled beyond the nearest suitable site, plus the non-preferred-site penalty.
    /// Unit: metres.
    TravelRegret,
    /// Priority weight per referral seen after its due date ([`crate::rules::due_date`]) or
    /// unbooked with the due date on or before the horizon end: the completed-pathway logic
    /// NHS England withdrew in 2015, kept so a trust can ask for it and the report can show what
    /// it buys. Unit: weighted breaches.
    ClockStopBreaches,
}

impl Term {
    /// Every term, in the order of the `nhs_england` preset.
    pub const ALL: [Term; 14] = [
        Term::CancelledConfirmed,
        Term::ClinicalDaysLate,
        Term::CancerBreaches,
        Term::Disruption,
        Term::WaitingOver104Weeks,
        Term::WaitingOver78Weeks,
        Term::WaitingOver65Weeks,
        Term::WaitingOver52Weeks,
        Term::RttOver18Weeks,
        Term::DiagnosticOver6Weeks,
        Term::CancerOver62Days,
        Term::TreatInTurn,
        Term::TravelRegret,
        Term::ClockStopBreaches,
    ];

    /// The JSON name, for example `waiting_over_52_weeks`.
    pub fn name(self) -> &'static str {
        match self {
            Term::CancelledConfirmed => "cancelled_confirmed",
            Term::Disruption => "disruption",
            Term::ClinicalDaysLate => "clinical_days_late",
            Term::CancerBreaches => "cancer_breaches",
            Term::WaitingOver104Weeks => "waiting_over_104_weeks",
            Term::WaitingOver78Weeks => "waiting_over_78_weeks",
            Term::WaitingOver65Weeks => "waiting_over_65_weeks",
            Term::WaitingOver52Weeks => "waiting_over_52_weeks",
            Term::RttOver18Weeks => "rtt_over_18_weeks",
            Term::DiagnosticOver6Weeks => "diagnostic_over_6_weeks",
            Term::CancerOver62Days => "cancer_over_62_days",
            Term::TreatInTurn => "treat_in_turn",
            Term::TravelRegret => "travel_regret",
            Term::ClockStopBreaches => "clock_stop_breaches",
        }
    }
}

impl Term {
    /// The unit of the term's value, as reports print it.
    pub fn unit(self) -> &'static str {
        match self {
            Term::CancelledConfirmed => "appointments",
            Term::Disruption => "weighted changes (a forced move is not one)",
            Term::ClinicalDaysLate => "weighted days",
            Term::CancerBreaches => "breaches",
            Term::WaitingOver104Weeks
            | Term::WaitingOver78Weeks
            | Term::WaitingOver65Weeks
            | Term::WaitingOver52Weeks
            | Term::RttOver18Weeks
            | Term::DiagnosticOver6Weeks
            | Term::CancerOver62Days => "patient-snapshots",
            Term::TreatInTurn => "weighted day²",
            Term::TravelRegret => "m",
            Term::ClockStopBreaches => "weighted breaches",
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One term of a tier with its weight (at least 1). JSON: `{"term": "rtt_over_18_weeks"}`,
/// the weight 1 when absent, or `{"term": "rtt_over_18_weeks", "weight": 2}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeightedTerm {
    /// The term.
    pub term: Term,
    /// Its multiplier in the tier's sum (at least 1). Default 1.
    #[serde(default = "one")]
    pub weight: u32,
}

fn one() -> u32 {
    1
}

impl WeightedTerm {
    /// The term with weight 1.
    pub const fn unit(term: Term) -> Self {
        Self { term, weight: 1 }
    }
}

/// A named objective. Each is an ordered list of tiers ([`Preset::tiers`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// Confirmed appointments kept, clinical priority, then the standards as NHS England
    /// measures them (the default): (1) cancelled confirmed appointments, (2) clinical days late,
    /// (3) cancer breaches, (4) disruption of confirmed appointments, (5) over 104 weeks, (6)
    /// over 78, (7) over 65, (8) over 52, (9) over 18 weeks RTT + over 6 weeks DM01 + over 62
    /// days cancer, (10) treat in turn, (11) travel regret. The existing-booking tiers cost
    /// nothing, and are not solved, when no referral has a confirmed booking.
    NhsEngland,
    /// As `nhs_england` with tier 9 (18 weeks, 6 weeks, 62 days) before the long-wait counts.
    EighteenWeeksFirst,
    /// The crate's first objective: (1) clock-stop breaches, (2) treat in turn, (3) travel.
    ClockStopBreaches,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 3] = [
        Preset::NhsEngland,
        Preset::EighteenWeeksFirst,
        Preset::ClockStopBreaches,
    ];

    /// The JSON name, for example `nhs_england`.
    pub fn name(self) -> &'static str {
        match self {
            Preset::NhsEngland => "nhs_england",
            Preset::EighteenWeeksFirst => "eighteen_weeks_first",
            Preset::ClockStopBreaches => "clock_stop_breaches",
        }
    }

    /// The preset's tiers, first (most important) first; every weight 1.
    pub fn tiers(self) -> Vec<Vec<WeightedTerm>> {
        use Term::*;
        let standards = vec![RttOver18Weeks, DiagnosticOver6Weeks, CancerOver62Days];
        let long_waits = [
            WaitingOver104Weeks,
            WaitingOver78Weeks,
            WaitingOver65Weeks,
            WaitingOver52Weeks,
        ];
        let mut tiers: Vec<Vec<Term>> = match self {
            Preset::ClockStopBreaches => {
                vec![
                    vec![ClockStopBreaches],
                    vec![TreatInTurn],
                    vec![TravelRegret],
                ]
            }
            Preset::NhsEngland | Preset::EighteenWeeksFirst => {
                let mut t = vec![
                    vec![CancelledConfirmed],
                    vec![ClinicalDaysLate],
                    vec![CancerBreaches],
                    vec![Disruption],
                ];
                if self == Preset::EighteenWeeksFirst {
                    t.push(standards.clone());
                }
                t.extend(long_waits.iter().map(|&w| vec![w]));
                if self == Preset::NhsEngland {
                    t.push(standards);
                }
                t.push(vec![TreatInTurn]);
                t.push(vec![TravelRegret]);
                t
            }
        };
        tiers
            .drain(..)
            .map(|t| t.into_iter().map(WeightedTerm::unit).collect())
            .collect()
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Preset {
    type Err = String;

    /// A preset by its JSON name; Err lists the names.
    fn from_str(s: &str) -> Result<Self, String> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
                format!(
                    "unknown objective preset `{s}`: expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// The objective: an ordered list of tiers, each a weighted sum of named terms, minimised
/// lexicographically (tier 1 first; no amount of a later tier buys one unit of an earlier one).
///
/// JSON: a preset name (`"nhs_england"`, `"eighteen_weeks_first"`, `"clock_stop_breaches"`)
/// or the list itself, for example
/// `[[{"term": "clinical_days_late"}], [{"term": "rtt_over_18_weeks", "weight": 2},
/// {"term": "diagnostic_over_6_weeks"}], [{"term": "treat_in_turn"}]]`. The problem check
/// refuses an empty list, an empty tier and a zero weight (`Error::InvalidField` on the policy's
/// `objective`); an unknown term or preset is a JSON error naming the path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Objective {
    /// A named preset.
    Preset(Preset),
    /// Explicit tiers, first first.
    Tiers(Vec<Vec<WeightedTerm>>),
}

impl<'de> Deserialize<'de> for Objective {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Objective;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a preset name or a list of tiers, each a list of terms")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Objective, E> {
                v.parse().map(Objective::Preset).map_err(E::custom)
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<Objective, A::Error> {
                Deserialize::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                    .map(Objective::Tiers)
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

impl Default for Objective {
    fn default() -> Self {
        Objective::Preset(Preset::NhsEngland)
    }
}

impl Objective {
    /// The tiers, first first (a preset's expanded).
    pub fn tiers(&self) -> Vec<Vec<WeightedTerm>> {
        match self {
            Objective::Preset(p) => p.tiers(),
            Objective::Tiers(t) => t.clone(),
        }
    }

    /// The name of each tier as reports and errors give it: its terms joined by `+`, for
    /// example `rtt_over_18_weeks+diagnostic_over_6_weeks+cancer_over_62_days`; a weight other
    /// than 1 is written before its term (`2*rtt_over_18_weeks`).
    pub fn tier_names(&self) -> Vec<String> {
        self.tiers()
            .iter()
            .map(|tier| {
                tier.iter()
                    .map(|t| match t.weight {
                        1 => t.term.name().to_owned(),
                        w => format!("{w}*{}", t.term.name()),
                    })
                    .collect::<Vec<_>>()
                    .join("+")
            })
            .collect()
    }
}
