//! Clock rules that change who is booked: a first-appointment DNA restarts the clock (RTT rules
//! v5.0, section 4.4.1.3), a later DNA does not; a 21-day reasonable-notice policy keeps
//! bookings out of the first three weeks unless the patient accepts short notice. Values are
//! worked out by hand in the comments; every schedule passes the independent validator.

mod common;
use appointment_optimiser::{
    solve, validate, Backend, Outcome, Problem, Schedule, SolveOptions, UnbookedReason, Violation,
};
use chrono::NaiveDate;
use common::bookings;
use serde_json::{json, Value};

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Solves on the network path and on every compiled backend, checks they agree and that the
/// validator accepts the schedule, and returns the network path's schedule.
fn solved(value: &Value) -> (Problem, Schedule) {
    let problem = common::legacy_problem(&value.to_string());
    let schedule = solve(&problem, &SolveOptions::new()).unwrap();
    assert_eq!(validate(&problem, &schedule), vec![]);
    for backend in Backend::compiled() {
        let options = SolveOptions::new().backend(backend).network_flow(false);
        let other = solve(&problem, &options).unwrap();
        assert_eq!(validate(&problem, &other), vec![]);
        assert_eq!(bookings(&other), bookings(&schedule), "backend {backend}");
        assert_eq!(other.objective, schedule.objective, "backend {backend}");
    }
    (problem, schedule)
}

/// One MRI slot on 10 December; two routine RTT referrals; `dna` is R-A's DNA list.
fn dna_problem(dna: Value) -> Value {
    json!({
        "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
        "sites": [{"id": "S", "name": "Main", "kind": "nhs_trust",
                   "location": {"latitude": 52.0, "longitude": -1.0}}],
        "slots": [{"id": "MRI-1210", "site": "S", "service": {"diagnostic": "mri"},
                   "start": "2026-12-10T09:00:00Z", "end": "2026-12-10T09:30:00Z"}],
        "referrals": [
            {"id": "R-A", "patient": "P1", "service": {"diagnostic": "mri"},
             "clock_start": "2026-07-01", "standards": ["rtt_18_weeks"],
             "duration_minutes": 30, "did_not_attend": dna},
            {"id": "R-B", "patient": "P2", "service": {"diagnostic": "mri"},
             "clock_start": "2026-09-01", "standards": ["rtt_18_weeks"],
             "duration_minutes": 30}
        ]
    })
}

fn outcome<'a>(schedule: &'a Schedule, id: &str) -> &'a appointment_optimiser::ReferralOutcome {
    schedule
        .outcomes
        .iter()
        .find(|o| o.referral.as_str() == id)
        .unwrap()
}

#[test]
fn without_a_dna_the_longer_waiter_takes_the_slot() {
    // R-A: clock 1 July, due 4 November (+126 days): breached whether booked or not, so tier 1
    // ties and tier 2 decides. R-A gains 184^2 - 162^2 = 7,612 from the slot (162 days on
    // 10 December, 184 counted to 1 January unbooked); R-B (clock 1 September, due 5 January,
    // after the horizon) gains only 122^2 - 100^2 = 4,884.
    let (_, s) = solved(&dna_problem(json!([])));
    assert_eq!(bookings(&s), vec![("R-A", Some("MRI-1210")), ("R-B", None)]);
    let a = outcome(&s, "R-A");
    assert_eq!(a.due_date, date("2026-11-04"));
    assert!(a.breached);
    assert_eq!(a.days_late, 36);
    assert_eq!(s.objective.values()[0], 1);
    assert_eq!(s.objective.values()[1], 162 * 162 + 122 * 122);
}

#[test]
fn a_first_appointment_dna_restarts_the_clock_and_gives_the_slot_away() {
    // R-A missed its first appointment on 2 November and agreed a new one on 5 November: its
    // clock restarts then (RTT 4.4.1.3), due 11 March 2027, so it no longer breaches, and it
    // gains only 57^2 - 35^2 = 2,024 from the slot against R-B's 4,884.
    let dna =
        json!([{"date": "2026-11-02", "first_appointment": true, "rebooked_on": "2026-11-05"}]);
    let (_, s) = solved(&dna_problem(dna));
    assert_eq!(bookings(&s), vec![("R-A", None), ("R-B", Some("MRI-1210"))]);
    let a = outcome(&s, "R-A");
    assert_eq!(a.due_date, date("2027-03-11"));
    assert!(!a.breached);
    assert_eq!(a.days_late, 0);
    assert_eq!(s.objective.values()[0], 0);
    assert_eq!(s.objective.values()[1], 100 * 100 + 57 * 57);
    assert!(matches!(
        &a.outcome,
        Outcome::Unbooked(UnbookedReason::NoCapacity { .. })
    ));
}

#[test]
fn a_later_dna_leaves_the_clock_running() {
    let dna =
        json!([{"date": "2026-11-02", "first_appointment": false, "rebooked_on": "2026-11-05"}]);
    let (_, s) = solved(&dna_problem(dna));
    assert_eq!(bookings(&s), vec![("R-A", Some("MRI-1210")), ("R-B", None)]);
    assert_eq!(outcome(&s, "R-A").due_date, date("2026-11-04"));
    assert_eq!(s.objective.values()[1], 162 * 162 + 122 * 122);
}

/// MRI slots on 8, 21 and 22 December; a 21-day notice policy from 1 December, so the first
/// date without the patient's agreement is 22 December.
fn notice_problem() -> Value {
    let slot = |id: &str, day: u32| {
        json!({"id": id, "site": "S", "service": {"diagnostic": "mri"},
               "start": format!("2026-12-{day:02}T09:00:00Z"),
               "end": format!("2026-12-{day:02}T09:30:00Z")})
    };
    json!({
        "planning_date": "2026-12-01", "horizon_end": "2026-12-31",
        "policy": {"min_notice_days": 21},
        "sites": [{"id": "S", "name": "Main", "kind": "nhs_trust",
                   "location": {"latitude": 52.0, "longitude": -1.0}}],
        "slots": [slot("MRI-1208", 8), slot("MRI-1221", 21), slot("MRI-1222", 22)],
        "referrals": [
            {"id": "R1", "patient": "P1", "service": {"diagnostic": "mri"},
             "clock_start": "2026-10-01", "standards": ["diagnostic_6_weeks"],
             "duration_minutes": 30},
            {"id": "R2", "patient": "P2", "service": {"diagnostic": "mri"},
             "clock_start": "2026-11-20", "standards": ["diagnostic_6_weeks"],
             "duration_minutes": 30, "accepts_short_notice": true},
            {"id": "R3", "patient": "P3", "service": {"diagnostic": "mri"},
             "clock_start": "2026-11-10", "standards": ["diagnostic_6_weeks"],
             "duration_minutes": 30}
        ]
    })
}

#[test]
fn reasonable_notice_of_21_days() {
    // R1 and R3 do not accept short notice: their only candidate is 22 December, 21 days
    // ahead. R3 is due on 22 December (10 November + 42), so booking it then avoids its breach;
    // R1 (due 12 November) breaches either way and is left with no capacity. R2 accepts short
    // notice and takes the earliest slot, 8 December (tier 2: 18^2 < 31^2).
    let (problem, s) = solved(&notice_problem());
    assert_eq!(
        bookings(&s),
        vec![
            ("R1", None),
            ("R2", Some("MRI-1208")),
            ("R3", Some("MRI-1222"))
        ]
    );
    assert!(matches!(
        &outcome(&s, "R1").outcome,
        Outcome::Unbooked(UnbookedReason::NoCapacity { .. })
    ));
    assert!(!outcome(&s, "R3").breached);
    assert_eq!(s.objective.values()[0], 1);

    // The validator refuses R1 on 21 December, one day inside the notice.
    let mut tampered = s.clone();
    let r2 = match &outcome(&s, "R2").outcome {
        Outcome::Booked(b) => b.clone(),
        other => panic!("R2 should be booked, got {other:?}"),
    };
    let mut moved = r2;
    moved.slot = "MRI-1221".into();
    moved.start = "2026-12-21T09:00:00Z".parse().unwrap();
    moved.date = date("2026-12-21");
    tampered.outcomes[0].outcome = Outcome::Booked(moved);
    let violations = validate(&problem, &tampered);
    assert!(
        violations.iter().any(|v| matches!(
            v,
            Violation::BookingRule { referral, broken, .. } if referral == "R1" && *broken == "too_early"
        )),
        "{violations:?}"
    );
}

#[test]
fn without_notice_the_long_waiters_go_first() {
    // The same list with no notice: every slot is open to everyone. R3 still needs a date by
    // 22 December; R1 breaches anyway but gains most from the earliest slot under tier 2.
    let mut value = notice_problem();
    value["policy"] = json!({});
    let (_, s) = solved(&value);
    assert_eq!(
        bookings(&s),
        vec![
            ("R1", Some("MRI-1208")),
            ("R2", Some("MRI-1222")),
            ("R3", Some("MRI-1221"))
        ]
    );
}
