//! Backfill: the referrals who could take a freed place, ranked by their gain under the
//! policy's tiers, checked on a hand-worked week and against solving again.

mod common;
use appointment_optimiser::backfill::Backfill;
use appointment_optimiser::generate::{generate, InstanceConfig};
use appointment_optimiser::{prepare, Problem, SlotStatus, SolveOptions};
use proptest::prelude::*;

/// The re-planned week of `tests/replan.rs` with M2 blocked: A in M1 (kept), B moved to M3, C
/// unbooked.
fn blocked_week() -> Problem {
    let json = include_str!("../examples/data/replan_week.json");
    let p = Problem::from_json(json).unwrap();
    assert_eq!(p.slots[1].status, SlotStatus::Blocked);
    p
}

/// A place frees in M1 (3 December): C, unbooked, gains most (off the 6-week count on both
/// snapshot dates, tier 9: 2), then B, who would move up from M3 (treat in turn only) and free
/// M3 in turn. A holds M1 already and is not offered it.
#[test]
fn a_freed_place_is_offered_in_the_order_of_the_gain() {
    let p = blocked_week();
    let prepared = prepare(&p).unwrap();
    let schedule = prepared.solve(&SolveOptions::new()).unwrap();
    let backfill = Backfill::new(&prepared, &schedule).unwrap();
    let offers = backfill.offers("M1").unwrap();
    let named: Vec<(&str, Option<&str>)> = offers
        .iter()
        .map(|o| (o.referral.as_str(), o.frees.as_ref().map(|s| s.as_str())))
        .collect();
    assert_eq!(named, vec![("C", None), ("B", Some("M3"))]);
    // Active tiers: clinical days late, the 18-week tier and treat in turn (no travel: every
    // home is unknown; no confirmed booking can still be kept or moved: A keeps M1, B's slot
    // is gone). C gains its 2 snapshot counts.
    let tiers = prepared.active_tiers();
    let names: Vec<&str> = tiers
        .iter()
        .map(|&k| schedule.objective.tiers[k].tier.as_str())
        .collect();
    let standards = names
        .iter()
        .position(|n| n.starts_with("rtt_over_18_weeks"))
        .unwrap();
    assert_eq!(offers[0].gain[standards], 2);
    assert_eq!(offers[1].gain[standards], 0);
    assert!(!offers[0].short_notice);
    assert!(backfill.offers("nope").is_err());
}

proptest! {
    #![proptest_config(common::config(24))]

    /// On generated capacity-only lists, one more place in a slot, solved again, lowers the
    /// objective by at least the top offer's gain (lexicographically), and by nothing when
    /// nobody is offered the place.
    #[test]
    fn solving_again_gains_at_least_the_top_offer(
        seed in 0u64..1000,
        referrals in 8usize..30,
        slots in 3usize..10,
        pick in any::<prop::sample::Index>(),
    ) {
        let p = generate(&InstanceConfig::capacity_only(referrals, slots, seed));
        let prepared = prepare(&p).unwrap();
        let before = prepared.solve(&SolveOptions::new()).unwrap();
        let backfill = Backfill::new(&prepared, &before).unwrap();
        let si = pick.index(p.slots.len());
        let offers = backfill.offers(p.slots[si].id.as_str()).unwrap();

        let mut more = p.clone();
        more.slots[si].capacity += 1;
        let prepared_more = prepare(&more).unwrap();
        let after = prepared_more.solve(&SolveOptions::new()).unwrap();
        let tiers = prepared.active_tiers().to_vec();
        let (b, a) = (before.objective.values(), after.objective.values());
        let gain: Vec<i64> = tiers.iter().map(|&k| b[k] - a[k]).collect();
        match offers.first() {
            Some(top) => prop_assert!(gain >= top.gain, "re-solve {:?} < top offer {:?}", gain, top.gain),
            None => prop_assert!(gain.iter().all(|&g| g == 0), "re-solve gained {:?} with no offer", gain),
        }
    }
}

/// A clinic on 3 December (two places) inside a 7-day notice period, and one on 20 December. Z
/// accepts short notice and takes a place on 3 December; X and Y do not, so the other place
/// there goes unused. X, who has waited longest, takes 20 December (treat in turn) and Y is left
/// unbooked. The schedule lists the unused place
/// with X (who would come forward from 20 December) and Y to ring, in turn order, and the
/// summary prints them.
#[test]
fn unused_places_name_who_to_offer_them_at_short_notice() {
    let json = r#"{
      "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
      "policy": {"min_notice_days": 7},
      "sites": [{"id": "H", "name": "Hospital", "kind": "nhs_trust",
                 "location": {"latitude": 52.0, "longitude": -1.0}}],
      "slots": [
        {"id": "N1", "site": "H", "service": {"outpatient": "100"}, "capacity": 2,
         "start": "2026-12-03T09:00:00Z", "end": "2026-12-03T09:30:00Z"},
        {"id": "L", "site": "H", "service": {"outpatient": "100"},
         "start": "2026-12-20T09:00:00Z", "end": "2026-12-20T09:15:00Z"}
      ],
      "referrals": [
        {"id": "X", "patient": "PX", "service": {"outpatient": "100"}, "clock_start": "2026-09-01",
         "standards": ["rtt_18_weeks"], "duration_minutes": 15},
        {"id": "Y", "patient": "PY", "service": {"outpatient": "100"}, "clock_start": "2026-10-20",
         "standards": ["rtt_18_weeks"], "duration_minutes": 15},
        {"id": "Z", "patient": "PZ", "service": {"outpatient": "100"}, "clock_start": "2026-11-01",
         "standards": ["rtt_18_weeks"], "duration_minutes": 15, "accepts_short_notice": true}
      ]
    }"#;
    let p = Problem::from_json(json).unwrap();
    let schedule = appointment_optimiser::solve(&p, &SolveOptions::new()).unwrap();
    assert_eq!(appointment_optimiser::validate(&p, &schedule), vec![]);
    assert_eq!(
        common::bookings(&schedule),
        vec![("X", Some("L")), ("Y", None), ("Z", Some("N1"))]
    );
    let unused = &schedule.unused;
    assert_eq!(unused.len(), 1);
    assert_eq!(unused[0].slot.as_str(), "N1");
    assert_eq!(unused[0].places, 1);
    let ring: Vec<&str> = unused[0].short_notice.iter().map(|r| r.as_str()).collect();
    assert_eq!(ring, ["X", "Y"]);
    assert_eq!(unused[0].short_notice_total, 2);
    let summary = schedule.summary(&p);
    assert!(
        summary.contains(
            "Unused capacity in 1 slots (free places or minutes no booking took): N1 (2026-12-03) 1\n  could be offered at short notice (inside the minimum notice), in turn order:\n  N1           X, Y\n"
        ),
        "{summary}"
    );
}
