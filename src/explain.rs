//! Why a referral has no date, or a late one: who took its candidate slots and what the trade
//! would have cost, checkable without the solver, and the smallest changes that would get it a
//! date, each tried by solving again.
//!
//! ```
//! use appointment_optimiser::explain::explain;
//! use appointment_optimiser::{solve, Problem, SolveOptions};
//! let json = std::fs::read_to_string("examples/data/small_clinic.json").unwrap();
//! let problem = Problem::from_json(&json)?;
//! let options = SolveOptions::new();
//! let schedule = solve(&problem, &options)?;
//! let why = explain(&problem, &schedule, "R-TO-3", &options)?;
//! assert_eq!(why.blockers[0].referral.as_str(), "R-TO-1");
//! println!("{}", why.to_text());
//! # Ok::<(), appointment_optimiser::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::formulation::turn_order;
use crate::model::{Problem, ReferralId, SlotId, SlotStatus};
use crate::schedule::{Outcome, Schedule};
use crate::solve::{prepare, solve, SolveOptions};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// The explanation of one referral's outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    /// The referral explained.
    pub referral: ReferralId,
    /// Its appointment date in the schedule (`None`: unbooked).
    pub booked_on: Option<NaiveDate>,
    /// Its due date ([`crate::rules::due_date`]): a booking after it, or none, is what is
    /// explained.
    pub due_date: NaiveDate,
    /// Whether any slot passes its candidate rules (when none does, the schedule's
    /// `no_candidate` reason counts the slots each rule excluded).
    pub has_candidates: bool,
    /// The referrals booked in its candidate slots (for a late referral, those dated on or
    /// before its due date), in the order the policy ranks them (priority weight, then longest
    /// wait, then id), each with the trade the optimum refused.
    pub blockers: Vec<Blocker>,
    /// Changes that, solved again, give the referral a date (on or before its due date when it
    /// is late), smallest first within each kind. Empty when none of those tried works.
    pub fixes: Vec<Fix>,
}

/// A referral booked in one of the explained referral's candidate slots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Blocker {
    /// The referral holding the slot.
    pub referral: ReferralId,
    /// The slot.
    pub slot: SlotId,
    /// Its booking is pinned (kept as it is whatever the objective says).
    pub pinned: bool,
    /// The first tier of the objective that the trade (the explained referral in this slot,
    /// this one unbooked) would make worse, with how much: the tier that decided. `None` when
    /// the trade changes no tier (the turn order decided), when it would lower one (a side
    /// constraint, such as the same patient's other booking, forbids it, or the solver
    /// stopped early), and for a pinned booking.
    pub decided_by: Option<TierDelta>,
}

/// A change of one tier's value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierDelta {
    /// The tier's name ([`crate::Objective::tier_names`]).
    pub tier: String,
    /// By how much it would rise, in the tier's unit.
    pub by: i64,
}

/// A change to the problem that, solved again, gets the referral a date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fix {
    /// The patient accepts a date inside the minimum notice period.
    AcceptShortNotice,
    /// The patient travels up to this many kilometres (great-circle), to the nearest site beyond
    /// today's limit that has a slot for the service.
    TravelFurther {
        /// The new limit, in km, rounded up to the next tenth.
        km: f64,
    },
    /// One more place in this slot (capacity + 1, and the referral's minutes on a session).
    OneMorePlace {
        /// The slot.
        slot: SlotId,
    },
}

impl Explanation {
    /// A readable account, one line per blocker and fix.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = match self.booked_on {
            Some(date) => writeln!(
                s,
                "{}: booked on {date}, after its due date {}",
                self.referral, self.due_date
            ),
            None => writeln!(s, "{}: unbooked (due {})", self.referral, self.due_date),
        };
        if !self.has_candidates {
            let _ = writeln!(
                s,
                "  no slot passes its candidate rules: the schedule's reason counts the slots each rule excluded"
            );
        } else if self.blockers.is_empty() {
            let _ = writeln!(s, "  no referral holds any of its candidate slots");
        }
        for b in &self.blockers {
            let why = match (&b.decided_by, b.pinned) {
                (_, true) => "pinned".to_owned(),
                (Some(d), false) => format!("the trade would raise {} by {}", d.tier, d.by),
                (None, false) => "the turn order decided".to_owned(),
            };
            let _ = writeln!(s, "  {} holds {}: {why}", b.referral, b.slot);
        }
        for f in &self.fixes {
            let _ = match f {
                Fix::AcceptShortNotice => writeln!(s, "  would be booked: accepting short notice"),
                Fix::TravelFurther { km } => {
                    writeln!(s, "  would be booked: travelling up to {km:.1} km")
                }
                Fix::OneMorePlace { slot } => {
                    writeln!(s, "  would be booked: one more place in {slot}")
                }
            };
        }
        s
    }
}

/// How many of the referral's candidate slots are tried for [`Fix::OneMorePlace`], in time order.
const PLACES_TRIED: usize = 10;

/// Explains the outcome of `referral` in `schedule`, a schedule of `problem`: the referrals
/// holding its candidate slots (the trade the optimum refused, from the objective's tier costs,
/// without solving) and the changes that would get it a date (each tried by solving the changed
/// problem with `options`: accepting short notice, travelling further, one more place in one of
/// its first ten candidate slots).
///
/// # Errors
/// Those of [`prepare`] and [`solve`]; [`Error::InvalidOption`] (option `referral`) when the
/// problem has no such referral, and (option `schedule`) when the schedule is not one of this
/// problem (another number of outcomes, or a booking in a slot the problem does not have).
pub fn explain(
    problem: &Problem,
    schedule: &Schedule,
    referral: &str,
    options: &SolveOptions,
) -> Result<Explanation> {
    let prepared = prepare(problem)?;
    let (_, cands, costs, _) = prepared.parts();
    let ri = problem
        .referrals
        .iter()
        .position(|r| r.id.as_str() == referral)
        .ok_or_else(|| Error::InvalidOption {
            option: "referral",
            reason: format!("the problem has no referral `{referral}`"),
        })?;
    // Slot (problem index) of each referral's booking.
    let booked: Vec<Option<usize>> = prepared
        .booked_slots(schedule)?
        .into_iter()
        .map(|b| b.map(|(si, _)| si))
        .collect();
    let outcome = &schedule.outcomes[ri];
    let due = outcome.due_date;
    let booked_on = match &outcome.outcome {
        Outcome::Booked(b) => Some(b.date),
        Outcome::Unbooked(_) => None,
    };
    let on_time = |s: &Schedule| match &s.outcomes[ri].outcome {
        Outcome::Booked(b) => booked_on.is_none() || b.date <= due,
        Outcome::Unbooked(_) => false,
    };
    // The explained referral's tier costs now, and in each candidate slot.
    let current = match (booked[ri], booked_on) {
        (Some(si), Some(_)) => cands.per_referral[ri]
            .iter()
            .position(|c| c.slot == si)
            .map(|ci| costs.booked(ri, ci).to_vec()),
        _ => None,
    }
    .unwrap_or_else(|| costs.unbooked(ri).to_vec());

    let mut blockers = Vec::new();
    for (ci, c) in cands.per_referral[ri].iter().enumerate() {
        if booked_on.is_some() && c.date > due {
            continue;
        }
        for (rj, _) in booked
            .iter()
            .enumerate()
            .filter(|&(rj, &s)| rj != ri && s == Some(c.slot))
        {
            let pinned = cands.pinned[rj] == Some(c.slot);
            let decided_by = if pinned {
                None
            } else {
                cands.per_referral[rj]
                    .iter()
                    .position(|cj| cj.slot == c.slot)
                    .and_then(|cj| {
                        let mine = costs.booked(ri, ci);
                        let theirs = costs.booked(rj, cj);
                        let out = costs.unbooked(rj);
                        (0..costs.tiers())
                            .map(|k| (k, mine[k] - current[k] + out[k] - theirs[k]))
                            .find(|&(_, d)| d != 0)
                            .filter(|&(_, d)| d > 0)
                            .map(|(k, by)| TierDelta {
                                tier: costs.name(k).to_owned(),
                                by,
                            })
                    })
            };
            blockers.push((
                rj,
                Blocker {
                    referral: problem.referrals[rj].id.clone(),
                    slot: problem.slots[c.slot].id.clone(),
                    pinned,
                    decided_by,
                },
            ));
        }
    }
    blockers.sort_by(|(a, x), (b, y)| {
        turn_order(problem, *a)
            .cmp(&turn_order(problem, *b))
            .then(x.slot.cmp(&y.slot))
    });
    blockers.dedup_by(|(a, x), (b, y)| a == b && x.slot == y.slot);

    // Fixes, each tried by solving the changed problem again.
    let r = &problem.referrals[ri];
    let mut fixes = Vec::new();
    let works = |changed: &Problem| -> Result<bool> { Ok(on_time(&solve(changed, options)?)) };
    if !r.accepts_short_notice && problem.policy.min_notice_days > 0 {
        let mut p = problem.clone();
        p.referrals[ri].accepts_short_notice = true;
        if works(&p)? {
            fixes.push(Fix::AcceptShortNotice);
        }
    }
    if let (Some(home), Some(max)) = (&r.home, r.max_travel_km) {
        let farther = problem
            .slots
            .iter()
            .filter(|s| s.service == r.service && s.status == SlotStatus::Free)
            .filter_map(|s| {
                let site = problem.sites.iter().find(|x| x.id == s.site)?;
                site.distance_km_from(home)
            })
            .filter(|&d| d > max)
            .min_by(f64::total_cmp);
        if let Some(d) = farther {
            let km = (d * 10.0).ceil() / 10.0;
            let mut p = problem.clone();
            p.referrals[ri].max_travel_km = Some(km);
            if works(&p)? {
                fixes.push(Fix::TravelFurther { km });
            }
        }
    }
    for c in cands.per_referral[ri]
        .iter()
        .filter(|c| booked_on.is_none() || c.date <= due)
        .take(PLACES_TRIED)
    {
        let mut p = problem.clone();
        let slot = &mut p.slots[c.slot];
        slot.capacity = slot.capacity.saturating_add(1);
        if let Some(m) = &mut slot.minutes_capacity {
            *m = m.saturating_add(r.duration_minutes);
        }
        if works(&p)? {
            fixes.push(Fix::OneMorePlace {
                slot: problem.slots[c.slot].id.clone(),
            });
            break;
        }
    }
    Ok(Explanation {
        referral: r.id.clone(),
        booked_on,
        due_date: due,
        has_candidates: !cands.per_referral[ri].is_empty(),
        blockers: blockers.into_iter().map(|(_, b)| b).collect(),
        fixes,
    })
}
