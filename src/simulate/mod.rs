//! A year of weeks: the waiting list booked week by week, as new referrals arrive, patients
//! attend, do not attend (DNA) or are cancelled, and the list is measured at every month end.
//!
//! The world is a scenario ([`crate::scenario::build`]) whose capacity runs for the whole
//! simulation plus the booking window. Each week, on its planning date (the scenario's, then a
//! week later each time):
//!
//! 1. the referrals that arrived during the week before join the list, at the published rate
//!    of new clock starts ([`Figures::new_clock_starts`] a month), with the scenario's mix of
//!    priorities, surgical classes and tests;
//! 2. the booker books the window ahead (default 6 weeks) in the slots released for it. The
//!    optimiser re-plans as its rules say: a confirmed appointment is kept unless moving it
//!    lets a patient ranked higher be seen (its tiers: clinical lateness and cancer breaches
//!    above disruption), and is never dropped while its slot can be used; a baseline keeps
//!    every appointment as it is (pinned), as lists are booked today;
//! 3. a share of patients offered their first date decline it ([`SimulationConfig::decline_rate`])
//!    and are offered another the next week;
//! 4. the appointments of the week happen: the hospital cancels a share
//!    ([`SimulationConfig::hospital_cancellation_rate`]; the patient is booked again, the clock
//!    running on); of the rest a share does not attend ([`SimulationConfig::dna_rate`]): after a
//!    DNA at a first appointment (a clinic or a test) the RTT clock restarts on the day
//!    (RTT guidance v5.0 §4.4.1.3), after a DNA at an operation it runs on; everybody else is
//!    seen and leaves the list;
//! 5. at each month end in the week the list is measured as NHS England measures it: the
//!    patients still waiting ([`MonthEnd`]).
//!
//! Every booker faces the same world: a referral's arrival, its attributes, and the draw of
//! each of its appointments (cancelled, DNA, declined) come from the seed, the referral's id
//! and the appointment's number, never from the order of booking. Same seed, same numbers.
//!
//! Simplifications, each a property of the model and not of the NHS: every referral needs one
//! appointment (a clinic, a test or an operation) and then leaves the list; a referral that
//! arrives for surgery arrives as a decision to admit (the share of admitted clock stops), so
//! demand and capacity match by service as the published flows do; arrivals have no
//! unavailable dates.

use crate::baselines::{book, Baseline};
use crate::error::Result;
use crate::model::{
    Capability, DeclinedOffer, DidNotAttend, Location, PatientId, Problem, Referral, ReferralId,
    ReferralPriority, Service, SiteKind, SlotStatus, SurgicalPriority, WaitingTimeStandard,
};
use crate::model::{Objective, Preset};
use crate::report::capacity::{with_lists, ListAddition};
use crate::rules::{add_days, clinical_deadline, nhs_date, running_clock_start};
use crate::scenario::{
    build, diagnostic_test_for, home_around, Figures, ScenarioConfig, DAYS_PER_MONTH,
};
use crate::schedule::{validate, Outcome};
use crate::solve::{solve, SolveOptions};
use chrono::{Datelike, Days, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::BTreeMap;

/// National outpatient did-not-attend rate: about 6.4% of appointments (NHS England, Hospital
/// Outpatient Activity 2021/22; `shared/docs/nhs-rules.md`).
pub const NATIONAL_DNA_RATE: f64 = 0.064;

/// The parameters of a simulation. Every field has a documented default ([`Default`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimulationConfig {
    /// Weeks simulated. Default 52.
    pub weeks: u32,
    /// Weeks ahead the booker books each week. Default 6.
    pub booking_window_weeks: u32,
    /// Share of appointments the patient does not attend. Default [`NATIONAL_DNA_RATE`].
    pub dna_rate: f64,
    /// Share of appointments the hospital cancels (the patient is booked again). Default 0.05,
    /// an assumption (hospital-initiated outpatient cancellations are not published per
    /// trust).
    pub hospital_cancellation_rate: f64,
    /// Share of patients who decline the first date they are offered. Default 0.05, an
    /// assumption.
    pub decline_rate: f64,
    /// Lists added to the capacity (from [`crate::report::capacity::weekly_lists`] on the
    /// year's problem, [`World::problem`]), each with its own dates: an
    /// independent-sector list or a community diagnostic centre open longer from a date.
    /// Default none.
    pub extra: Vec<ListAddition>,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        Self {
            weeks: 52,
            booking_window_weeks: 6,
            dna_rate: NATIONAL_DNA_RATE,
            hospital_cancellation_rate: 0.05,
            decline_rate: 0.05,
            extra: Vec::new(),
        }
    }
}

/// Who books the list each week.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Booker {
    /// The optimiser under an objective preset.
    Optimiser(Preset),
    /// A booking baseline (how lists are booked today).
    Baseline(Baseline),
}

impl Booker {
    /// The booker's name in the outputs: `optimiser` for the default preset, `optimiser
    /// (preset)` for another, the baseline's name otherwise.
    pub fn name(self) -> String {
        match self {
            Booker::Optimiser(Preset::NhsEngland) => "optimiser".to_owned(),
            Booker::Optimiser(p) => format!(
                "optimiser ({})",
                serde_json::to_value(p)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            ),
            Booker::Baseline(b) => b.name().to_owned(),
        }
    }
}

/// The list at one month end, under one booker: what NHS England measures (the patients still
/// waiting), and what happened during the month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonthEnd {
    /// The booker ([`Booker::name`]).
    pub booker: String,
    /// The month end (NHS date).
    pub month_end: NaiveDate,
    /// Patients waiting (incomplete pathways), booked or not.
    pub waiting: usize,
    /// Of them, waiting at most 18 weeks (126 days), in percent; `None` for an empty list.
    pub within_18_weeks_pct: Option<f64>,
    /// Waiting more than 52 weeks (364 days).
    pub over_52_weeks: usize,
    /// Waiting more than 65 weeks.
    pub over_65_weeks: usize,
    /// Waiting more than 78 weeks.
    pub over_78_weeks: usize,
    /// Waiting more than 104 weeks.
    pub over_104_weeks: usize,
    /// Of the patients waiting for a diagnostic test, the share waiting 6 weeks or more
    /// (DM01), in percent; `None` when none waits for a test. Measured from the running RTT
    /// clock start: the scenario does not model the date the test was requested, so this
    /// overstates the DM01 wait of a patient referred for a test partway through a pathway.
    pub diagnostic_6_weeks_plus_pct: Option<f64>,
    /// Seen during the month.
    pub seen: usize,
    /// Their mean wait when seen, in days from the running clock start; `None` when nobody
    /// was seen.
    pub mean_wait_seen_days: Option<f64>,
    /// Urgent suspected cancer patients seen during the month within 28 days of their clock
    /// start (the Faster Diagnosis Standard on clock stops), in percent; `None` when none was
    /// seen.
    pub cancer_28_days_pct: Option<f64>,
    /// Days after their clinical deadline (the urgent target, the surgical class's, a cancer
    /// limit) of the patients seen during the month, weighted by nothing: plain days.
    pub clinical_days_late: u64,
    /// Patients waiting at the month end past their clinical deadline.
    pub past_clinical_deadline: usize,
    /// Appointments not attended during the month.
    pub dna: usize,
    /// Appointments the hospital cancelled during the month.
    pub cancelled: usize,
    /// First dates declined during the month.
    pub declined: usize,
    /// Bookings the week's re-plan moved (or gave up) during the month: the optimiser moves a
    /// confirmed booking for a patient its objective ranks higher; a baseline never does.
    pub moved: usize,
    /// Patients seen over the places the month's slots held, in percent.
    pub utilisation_pct: Option<f64>,
    /// Referrals that joined the list during the month.
    pub arrived: usize,
}

/// A simulation's results: the starting list and every booker's month ends.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Simulation {
    /// The scenario's planning date: the first week's.
    pub start: NaiveDate,
    /// Patients waiting at the start.
    pub waiting_at_start: usize,
    /// Of them, within 18 weeks, in percent.
    pub within_18_weeks_at_start_pct: Option<f64>,
    /// Over 52 weeks at the start.
    pub over_52_weeks_at_start: usize,
    /// One row per booker and month end, bookers in the order given.
    pub months: Vec<MonthEnd>,
    /// Hard rules broken by the weeks' schedules, all bookers together, as the validator
    /// ([`crate::validate`]) found them: 0 unless there is a bug.
    pub violations: usize,
}

/// The world of a simulation: the list at the start, the capacity of the whole simulation
/// and the arrivals, built once and shared by every booker.
pub struct World {
    /// The scenario's problem over the simulated weeks and the last booking window: the list
    /// at the start and every slot.
    pub problem: Problem,
    /// The figures it was built from.
    pub figures: Figures,
    scenario: ScenarioConfig,
    config: SimulationConfig,
    /// Per week, the referrals that arrive during it (join the list the week after).
    arrivals: Vec<Vec<Referral>>,
}

impl World {
    /// The world of `config` on the scenario of `figures` and `scenario`: the scenario's list at
    /// its planning date; capacity for the simulated weeks plus the booking window, every week
    /// the scenario's week of clinics, tests and theatre lists (the published monthly clock
    /// stops times the capacity factor, 7 / 30.4375 of a month); `config.extra` lists added;
    /// the arrivals drawn.
    pub fn new(figures: &Figures, scenario: &ScenarioConfig, config: &SimulationConfig) -> World {
        let mut problem = build(figures, scenario).problem;
        // Capacity week by week, each week as the scenario builds a one-week horizon from its
        // first day (no notice period: these slots are released weeks ahead), so that every
        // week holds the same places; slot ids prefixed with the week.
        let weeks = config.weeks + config.booking_window_weeks;
        problem.slots.clear();
        for w in 0..weeks {
            let week = ScenarioConfig {
                planning_date: add_days(scenario.planning_date, 7 * w),
                horizon_weeks: 1,
                min_notice_days: 0,
                ..scenario.clone()
            };
            for mut slot in build(figures, &week).problem.slots {
                slot.id.0 = format!("W{:02}-{}", w + 1, slot.id.0);
                problem.slots.push(slot);
            }
        }
        problem.horizon_end = add_days(scenario.planning_date, 7 * weeks);
        for addition in &config.extra {
            problem = with_lists(&problem, addition);
        }
        let mut world = World {
            problem,
            figures: figures.clone(),
            scenario: scenario.clone(),
            config: config.clone(),
            arrivals: Vec::new(),
        };
        world.arrivals = (0..config.weeks).map(|w| world.arrivals_of(w)).collect();
        world
    }

    /// The referrals arriving during week `w` (its days `planning + 7w + 1` to `+ 7`): the
    /// published monthly new clock starts at `7 / 30.4375` a week, the fraction carried, each
    /// drawn from the seed and its id.
    fn arrivals_of(&self, w: u32) -> Vec<Referral> {
        let per_week = f64::from(self.figures.new_clock_starts) * 7.0 / DAYS_PER_MONTH;
        let count = |weeks: u32| (per_week * f64::from(weeks)).floor() as u64;
        let (from, to) = (count(w), count(w + 1));
        let week_start = add_days(self.problem.planning_date, 7 * w);
        (from..to)
            .map(|k| {
                let id = format!("NEW-{:06}", k + 1);
                let mut rng = rng_of(self.scenario.seed, &id, "arrival");
                let day = add_days(week_start, rng.random_range(1..=7));
                self.arrival(id, day, &mut rng)
            })
            .collect()
    }

    /// One new referral, clock starting on `clock_start`, drawn as the scenario draws its list:
    /// admitted for surgery at the share of admitted clock stops, else a test at the
    /// scenario's diagnostic share, else a clinic; priorities and surgical classes at the
    /// scenario's shares; the home around a site that offers its service.
    fn arrival(&self, id: String, clock_start: NaiveDate, rng: &mut ChaCha8Rng) -> Referral {
        let f = &self.figures;
        let c = &self.scenario;
        let tfc = f.treatment_function.trim_start_matches("C_").to_owned();
        let stops = f64::from(f.completed_admitted + f.completed_non_admitted).max(1.0);
        let admitted = rng.random_range(0.0..1.0) < f64::from(f.completed_admitted) / stops;
        let test = diagnostic_test_for(&f.treatment_function);
        let roll = rng.random_range(0.0..1.0);
        let priority = if roll < c.urgent_suspected_cancer_share {
            ReferralPriority::UrgentSuspectedCancer
        } else if roll < c.urgent_suspected_cancer_share + c.urgent_share {
            ReferralPriority::Urgent
        } else {
            ReferralPriority::Routine
        };
        let (service, surgical, duration) = if admitted {
            let roll = rng.random_range(0.0..1.0);
            let class = if roll < c.surgical_p2_p3_shares.0 {
                SurgicalPriority::P2
            } else if roll < c.surgical_p2_p3_shares.0 + c.surgical_p2_p3_shares.1 {
                SurgicalPriority::P3
            } else {
                SurgicalPriority::P4
            };
            if rng.random_range(0.0..1.0) < 0.6 {
                (
                    Service::Operation(format!("{tfc} day case")),
                    Some(class),
                    15 * rng.random_range(3..=5),
                )
            } else {
                (
                    Service::Operation(format!("{tfc} inpatient")),
                    Some(class),
                    30 * rng.random_range(3..=5),
                )
            }
        } else if let Some(t) = test.filter(|_| rng.random_range(0.0..1.0) < c.diagnostic_share) {
            (Service::Diagnostic(t), None, 30)
        } else {
            (Service::Outpatient(tfc), None, 20)
        };
        let mut standards = vec![WaitingTimeStandard::Rtt18Weeks];
        if priority == ReferralPriority::UrgentSuspectedCancer {
            standards.push(WaitingTimeStandard::CancerFasterDiagnosis28Days);
            standards.push(WaitingTimeStandard::Cancer62Days);
        }
        // Around a site offering the service.
        let around: Vec<Location> = self
            .problem
            .sites
            .iter()
            .filter(|s| match service {
                Service::Diagnostic(_) => s.kind == SiteKind::CommunityDiagnosticCentre,
                _ => s.kind == SiteKind::NhsTrust,
            })
            .filter_map(|s| s.location)
            .collect();
        let centre = if around.is_empty() {
            self.problem
                .sites
                .iter()
                .find_map(|s| s.location)
                .unwrap_or(Location::new(51.5, 0.0))
        } else {
            around[rng.random_range(0..around.len())]
        };
        let home = home_around(centre, c.spread_km, rng);
        let requirements = if rng.random_range(0.0..1.0) < c.wheelchair_share {
            [Capability::from("wheelchair_access")].into()
        } else {
            Default::default()
        };
        Referral {
            patient: PatientId(format!("P{id}")),
            id: ReferralId(id),
            service,
            clock_start,
            standards,
            priority,
            surgical_priority: surgical,
            duration_minutes: duration,
            earliest_date: None,
            unavailable: vec![],
            home: Some(home),
            max_travel_km: Some(c.max_travel_km),
            requirements,
            preferred_sites: vec![],
            existing_booking: None,
            accepts_short_notice: false,
            did_not_attend: vec![],
            declined_offers: vec![],
        }
    }

    /// Simulates every booker in turn on this world.
    ///
    /// # Errors
    /// Any error of a week's solve or booking (a bug in this module, since every week's
    /// problem is built here).
    pub fn simulate(&self, bookers: &[Booker], options: &SolveOptions) -> Result<Simulation> {
        let start = self.problem.planning_date;
        let at_start = measure_list(
            self.problem.referrals.iter(),
            start,
            self.problem.policy.urgent_target_days,
        );
        let mut months = Vec::new();
        let mut violations = 0;
        for &booker in bookers {
            let (rows, broken) = self.run(booker, options)?;
            months.extend(rows);
            violations += broken;
        }
        Ok(Simulation {
            start,
            waiting_at_start: at_start.waiting,
            within_18_weeks_at_start_pct: at_start.within_18_weeks_pct,
            over_52_weeks_at_start: at_start.over[0],
            months,
            violations,
        })
    }

    /// One booker's year: its month ends and the hard rules its weeks' schedules broke.
    fn run(&self, booker: Booker, options: &SolveOptions) -> Result<(Vec<MonthEnd>, usize)> {
        let seed = self.scenario.seed;
        let window = 7 * self.config.booking_window_weeks;
        let slot_date: Vec<NaiveDate> = self
            .problem
            .slots
            .iter()
            .map(|s| nhs_date(&s.start))
            .collect();
        // The waiting list: referrals, each with its booking (slot index) and how many
        // appointments it has had (booked and happened or cancelled).
        let mut list: Vec<(Referral, Option<usize>, u32)> = self
            .problem
            .referrals
            .iter()
            .map(|r| (r.clone(), None, 0))
            .collect();
        let mut months = Vec::new();
        let mut month = Month::default();
        let mut violations = 0;
        for w in 0..self.config.weeks {
            let today = add_days(self.problem.planning_date, 7 * w);
            if w > 0 {
                let joining = &self.arrivals[w as usize - 1];
                month.arrived += joining.len();
                list.extend(joining.iter().map(|r| (r.clone(), None, 0)));
            }
            // Book the window.
            let horizon_end = add_days(today, window);
            let open: Vec<usize> = (0..self.problem.slots.len())
                .filter(|&s| slot_date[s] > today && slot_date[s] <= horizon_end)
                .collect();
            let mut problem = Problem {
                planning_date: today,
                horizon_end,
                policy: self.problem.policy.clone(),
                sites: self.problem.sites.clone(),
                slots: open
                    .iter()
                    .map(|&s| self.problem.slots[s].clone())
                    .collect(),
                referrals: list
                    .iter()
                    .map(|(r, booked, _)| {
                        let mut r = r.clone();
                        // The optimiser re-plans as its rules say (a confirmed booking kept, or
                        // moved for a patient ranked higher); a baseline keeps every booking.
                        r.existing_booking = booked.map(|s| crate::model::ExistingBooking {
                            slot: self.problem.slots[s].id.clone(),
                            pinned: matches!(booker, Booker::Baseline(_)),
                            confirmed: true,
                            appointment_id: None,
                        });
                        r
                    })
                    .collect(),
                pathway_steps: vec![],
            };
            let schedule = match booker {
                Booker::Optimiser(preset) => {
                    problem.policy.objective = Objective::Preset(preset);
                    solve(&problem, options)?
                }
                Booker::Baseline(b) => book(&problem, b)?,
            };
            violations += validate(&problem, &schedule).len();
            let index: BTreeMap<&str, usize> = problem
                .slots
                .iter()
                .zip(&open)
                .map(|(x, &s)| (x.id.as_str(), s))
                .collect();
            for ((r, booked, appointments), o) in list.iter_mut().zip(&schedule.outcomes) {
                let chosen = match &o.outcome {
                    Outcome::Booked(b) => index.get(b.slot.as_str()).copied(),
                    Outcome::Unbooked(_) => None,
                };
                match (*booked, chosen) {
                    (Some(before), Some(after)) if before != after => {
                        // Moved by the optimiser's re-plan (the patient is told).
                        month.moved += 1;
                        *booked = Some(after);
                    }
                    (Some(_), None) => {
                        month.moved += 1;
                        *booked = None;
                    }
                    (None, Some(s)) => {
                        // The first date offered may be declined.
                        if *appointments == 0
                            && r.declined_offers.is_empty()
                            && draw(seed, &r.id.0, 0, "decline") < self.config.decline_rate
                        {
                            r.declined_offers.push(DeclinedOffer {
                                offered_date: slot_date[s],
                                declined_on: today,
                                reasonable: slot_date[s] >= add_days(today, 21),
                            });
                            month.declined += 1;
                        } else {
                            *booked = Some(s);
                        }
                    }
                    _ => {}
                }
            }
            // The week's appointments, and the month ends inside the week, day by day.
            for day in 1..=7 {
                let date = add_days(today, day);
                let mut gone = vec![false; list.len()];
                for (k, (r, booked, appointments)) in list.iter_mut().enumerate() {
                    if booked.is_none_or(|s| slot_date[s] != date) {
                        continue;
                    }
                    *booked = None;
                    let n = *appointments;
                    *appointments += 1;
                    if draw(seed, &r.id.0, n, "cancel") < self.config.hospital_cancellation_rate {
                        month.cancelled += 1;
                        continue;
                    }
                    if draw(seed, &r.id.0, n, "dna") < self.config.dna_rate {
                        month.dna += 1;
                        r.did_not_attend.push(DidNotAttend {
                            date,
                            first_appointment: !matches!(r.service, Service::Operation(_)),
                            rebooked_on: date,
                        });
                        continue;
                    }
                    month.seen_referral(r, date, self.problem.policy.urgent_target_days);
                    gone[k] = true;
                }
                let mut k = 0;
                list.retain(|_| {
                    k += 1;
                    !gone[k - 1]
                });
                if is_month_end(date) {
                    month.places = (0..self.problem.slots.len())
                        .filter(|&s| {
                            slot_date[s].month() == date.month()
                                && slot_date[s].year() == date.year()
                                && self.problem.slots[s].status == SlotStatus::Free
                        })
                        .map(|s| u64::from(self.problem.slots[s].capacity))
                        .sum();
                    // The list counts the referrals of this week whose clock has started,
                    // though they join the booking next week.
                    let referred = self.arrivals[w as usize]
                        .iter()
                        .filter(|r| r.clock_start <= date);
                    let figures = measure_list(
                        list.iter().map(|(r, _, _)| r).chain(referred),
                        date,
                        self.problem.policy.urgent_target_days,
                    );
                    months.push(month.close(booker.name(), date, figures));
                    month = Month::default();
                }
            }
        }
        Ok((months, violations))
    }
}

/// The referral's running wait on `date`, in days.
fn waited(r: &Referral, date: NaiveDate) -> i64 {
    (date - running_clock_start(r)).num_days()
}

/// Whether `date` is the last day of its month.
fn is_month_end(date: NaiveDate) -> bool {
    date.checked_add_days(Days::new(1))
        .is_some_and(|next| next.month() != date.month())
}

/// `part` of `whole` in percent; `None` when `whole` is 0.
fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

/// The waiting-list figures of a list on `date`.
struct ListFigures {
    waiting: usize,
    past_clinical_deadline: usize,
    within_18_weeks_pct: Option<f64>,
    /// Over 52, 65, 78 and 104 weeks.
    over: [usize; 4],
    diagnostic_6_weeks_plus_pct: Option<f64>,
}

fn measure_list<'a>(
    list: impl Iterator<Item = &'a Referral>,
    date: NaiveDate,
    urgent_target_days: u32,
) -> ListFigures {
    let (mut waiting, mut within, mut over) = (0usize, 0usize, [0usize; 4]);
    let mut past = 0;
    let (mut tests, mut tests_late) = (0usize, 0usize);
    for r in list {
        let days = waited(r, date);
        waiting += 1;
        if clinical_deadline(r, urgent_target_days).is_some_and(|d| d.date < date) {
            past += 1;
        }
        if days <= 126 {
            within += 1;
        }
        for (k, weeks) in [52, 65, 78, 104].iter().enumerate() {
            if days > 7 * weeks {
                over[k] += 1;
            }
        }
        if matches!(r.service, Service::Diagnostic(_)) {
            tests += 1;
            if days >= 42 {
                tests_late += 1;
            }
        }
    }
    ListFigures {
        waiting,
        past_clinical_deadline: past,
        within_18_weeks_pct: percent(within as u64, waiting as u64),
        over,
        diagnostic_6_weeks_plus_pct: percent(tests_late as u64, tests as u64),
    }
}

/// What happened during a month.
#[derive(Default)]
struct Month {
    seen: usize,
    waited_days: i64,
    cancer_seen: usize,
    cancer_in_28: usize,
    clinical_days_late: u64,
    dna: usize,
    cancelled: usize,
    declined: usize,
    moved: usize,
    arrived: usize,
    places: u64,
}

impl Month {
    fn seen_referral(&mut self, r: &Referral, date: NaiveDate, urgent_target_days: u32) {
        self.seen += 1;
        self.waited_days += waited(r, date);
        if r.priority == ReferralPriority::UrgentSuspectedCancer {
            self.cancer_seen += 1;
            if waited(r, date) <= 28 {
                self.cancer_in_28 += 1;
            }
        }
        if let Some(deadline) = clinical_deadline(r, urgent_target_days) {
            self.clinical_days_late +=
                u64::try_from((date - deadline.date).num_days()).unwrap_or(0);
        }
    }

    fn close(self, booker: String, month_end: NaiveDate, list: ListFigures) -> MonthEnd {
        MonthEnd {
            booker,
            month_end,
            waiting: list.waiting,
            within_18_weeks_pct: list.within_18_weeks_pct,
            over_52_weeks: list.over[0],
            over_65_weeks: list.over[1],
            over_78_weeks: list.over[2],
            over_104_weeks: list.over[3],
            diagnostic_6_weeks_plus_pct: list.diagnostic_6_weeks_plus_pct,
            seen: self.seen,
            mean_wait_seen_days: (self.seen > 0)
                .then(|| self.waited_days as f64 / self.seen as f64),
            cancer_28_days_pct: percent(self.cancer_in_28 as u64, self.cancer_seen as u64),
            clinical_days_late: self.clinical_days_late,
            past_clinical_deadline: list.past_clinical_deadline,
            dna: self.dna,
            cancelled: self.cancelled,
            declined: self.declined,
            moved: self.moved,
            utilisation_pct: percent(self.seen as u64, self.places),
            arrived: self.arrived,
        }
    }
}

/// FNV-1a of the parts, for seeding: stable across platforms and Rust versions (the standard
/// library's hasher is not).
fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A random stream for one referral and one purpose.
fn rng_of(seed: u64, id: &str, purpose: &str) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(fnv(&[
        &seed.to_le_bytes(),
        id.as_bytes(),
        purpose.as_bytes(),
    ]))
}

/// A uniform draw in [0, 1) for appointment `n` of referral `id` and one event kind.
fn draw(seed: u64, id: &str, n: u32, kind: &str) -> f64 {
    rng_of(seed, id, &format!("{kind}/{n}")).random_range(0.0..1.0)
}

/// The month ends as CSV (RFC 4180: a booker's name with a comma is quoted): a header, then
/// one row per booker and month end, `booker` and `month_end` first, percentages and mean
/// waits with one decimal (empty when not defined).
pub fn to_csv(months: &[MonthEnd]) -> String {
    let mut out = String::from("booker,month_end,waiting,within_18_weeks_pct,over_52_weeks,over_65_weeks,over_78_weeks,over_104_weeks,diagnostic_6_weeks_plus_pct,seen,mean_wait_seen_days,cancer_28_days_pct,clinical_days_late,past_clinical_deadline,dna,cancelled,declined,moved,utilisation_pct,arrived\n");
    let pct = |p: Option<f64>| p.map_or(String::new(), |p| format!("{p:.1}"));
    // RFC 4180: a field with a comma or a quote is quoted, its quotes doubled.
    let field = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    for m in months {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            field(&m.booker),
            m.month_end,
            m.waiting,
            pct(m.within_18_weeks_pct),
            m.over_52_weeks,
            m.over_65_weeks,
            m.over_78_weeks,
            m.over_104_weeks,
            pct(m.diagnostic_6_weeks_plus_pct),
            m.seen,
            pct(m.mean_wait_seen_days),
            pct(m.cancer_28_days_pct),
            m.clinical_days_late,
            m.past_clinical_deadline,
            m.dna,
            m.cancelled,
            m.declined,
            m.moved,
            pct(m.utilisation_pct),
            m.arrived
        ));
    }
    out
}
