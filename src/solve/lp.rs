//! Components solved by a `good_lp` backend, tier by tier.

use super::Backend;
use crate::formulation::ComponentModel;
use crate::schedule::SolveStatus;
use good_lp::solvers::{
    ResolutionError, Solution, SolutionStatus, SolverModel, WithInitialSolution, WithMipGap,
    WithTimeLimit,
};
use good_lp::variable::UnsolvedProblem;
use good_lp::{variable, Expression, ProblemVariables, Variable};
use std::time::{Duration, Instant};

/// What a backend made of a component.
#[derive(Debug)]
pub(crate) struct ModelResult {
    /// Variable values (0 or 1 after rounding); `None` when no schedule was found.
    pub x: Option<Vec<f64>>,
    /// The status over all tiers.
    pub status: SolveStatus,
    /// Tier-1 value of `x`.
    pub tier1_value: i64,
    /// LP-relaxation bound on tier 1 when the MIP was not proven optimal.
    pub tier1_bound: Option<f64>,
    /// What the backend said on failure.
    pub message: Option<String>,
}

struct Stage {
    /// Values rounded to 0 or 1.
    x: Vec<f64>,
    /// The tier's objective at the unrounded values.
    value: f64,
    /// Whether some unrounded value was more than 1e-6 from 0 or 1.
    fractional: bool,
    status: SolutionStatus,
}

/// How a stage is solved.
#[derive(Clone, Copy)]
struct Settings {
    /// The model's binary variables declared binary (else every variable is continuous in
    /// 0..=1).
    integer: bool,
    /// With `integer`, every variable declared binary, not only the model's binary ones.
    all_binary: bool,
    /// Wall-clock limit for the stage.
    time_limit: Option<Duration>,
    /// Relative MIP gap.
    mip_gap: Option<f64>,
}

/// Solves one tier: minimise tier `tier` subject to the rows and to each earlier tier staying
/// at or below its fixed value.
fn stage<M>(
    create: fn(UnsolvedProblem) -> M,
    model: &ComponentModel,
    tier: usize,
    fixed: &[(usize, i64)],
    settings: Settings,
    start: Option<&[f64]>,
) -> Result<Stage, ResolutionError>
where
    M: SolverModel<Error = ResolutionError> + WithTimeLimit + WithMipGap + WithInitialSolution,
{
    let Settings {
        integer,
        all_binary,
        time_limit,
        mip_gap,
    } = settings;
    let mut vars = ProblemVariables::new();
    let x: Vec<Variable> = model
        .vars
        .iter()
        .zip(&model.binary)
        .map(|(_, &binary)| {
            let v = variable().min(0).max(1);
            vars.add(if integer && (binary || all_binary) {
                v.integer()
            } else {
                v
            })
        })
        .collect();
    let linear = |k: usize| -> Expression {
        model.objective[k]
            .iter()
            .zip(&x)
            .filter(|(&c, _)| c != 0)
            .map(|(&c, &v)| c as f64 * v)
            .sum()
    };
    let mut lp = vars.minimise(linear(tier)).using(create);
    for row in &model.rows {
        let lhs: Expression = row.terms.iter().map(|&(v, c)| c * x[v]).sum();
        lp.add_constraint(lhs.leq(row.upper));
    }
    // Tier values are integers. With every variable binary half a unit keeps exactly the
    // optimal schedules. With continuous variables (a transportation problem, or its part of a
    // MIP) the row must cut out exactly the optimal face, whose vertices are 0/1: any slack
    // would add fractional vertices that the next tier could prefer.
    let all_binary = integer && (all_binary || model.binary.iter().all(|&b| b));
    let slack = if all_binary { 0.5 } else { 0.0 };
    for &(k, value) in fixed {
        let bound = (value - model.constant[k]) as f64 + slack;
        lp.add_constraint(linear(k).leq(bound));
    }
    if let Some(limit) = time_limit {
        lp = lp.with_time_limit(limit.as_secs_f64());
    }
    if let Some(start) = start.filter(|_| integer) {
        lp = lp.with_initial_solution(x.iter().copied().zip(start.iter().copied()));
    }
    if integer {
        if let Some(gap) = mip_gap {
            lp = lp
                .with_mip_gap(gap as f32)
                .map_err(|e| ResolutionError::Str(e.to_string()))?;
        }
    }
    let solution = lp.solve()?;
    let raw: Vec<f64> = x.iter().map(|&v| solution.value(v)).collect();
    Ok(Stage {
        fractional: raw.iter().any(|&v| (v - v.round()).abs() > 1e-6),
        x: raw
            .iter()
            .map(|&v| if v > 0.5 { 1.0 } else { 0.0 })
            .collect(),
        value: model.tier_value(tier, &raw),
        status: solution.status(),
    })
}

/// How one `good_lp` backend is driven.
struct Engine<M> {
    /// Builds the backend's model.
    create: fn(UnsolvedProblem) -> M,
    /// Tried once more on a stage `create` failed on.
    retry: Option<fn(UnsolvedProblem) -> M>,
    /// Whether the backend is handed a starting schedule (a MIP start).
    mip_start: bool,
}

/// Runs the tiers, first first, on `engine`'s backend. `warm`, a feasible schedule of the component
/// (0/1 per variable), starts the MIP when the engine takes a MIP start, and is kept if the
/// backend finds nothing better for tier 1 in time. A stage the backend fails on is tried once
/// more on the engine's `retry` when it has one. A later tier whose objective is zero on every
/// variable is not sent to the backend: the earlier tier's schedule is already optimal for it.
fn run<M>(
    engine: Engine<M>,
    model: &ComponentModel,
    time_limit: Option<Duration>,
    mip_gap: Option<f64>,
    warm: Option<Vec<f64>>,
) -> ModelResult
where
    M: SolverModel<Error = ResolutionError> + WithTimeLimit + WithMipGap + WithInitialSolution,
{
    let Engine {
        create,
        retry,
        mip_start,
    } = engine;
    let warm = warm
        .filter(|w| model.integer && w.len() == model.vars.len() && model.violated(w).is_empty());
    let warm_tier1 = warm.as_ref().map(|w| model.tier_value(0, w).round() as i64);
    let started = Instant::now();
    let left = || time_limit.map(|t| t.saturating_sub(started.elapsed()));
    let attempt =
        |tier: usize, fixed: &[(usize, i64)], settings: Settings, start: Option<&[f64]>| {
            let start = start.filter(|_| mip_start);
            stage(create, model, tier, fixed, settings, start).or_else(|e| match retry {
                Some(again) => {
                    let settings = Settings {
                        time_limit: left(),
                        ..settings
                    };
                    stage(again, model, tier, fixed, settings, start)
                }
                None => Err(e),
            })
        };
    let mut best: Option<Vec<f64>> = None;
    let mut status = SolveStatus::Optimal;
    let mut fixed: Vec<(usize, i64)> = Vec::new();
    let mut message = None;
    // Tier 1 proven optimal by the backend: its value bounds itself.
    let mut tier1_proven: Option<i64> = None;
    for tier in 0..model.objective.len() {
        if tier > 0 && left().is_some_and(|l| l.is_zero()) {
            status = status.max(SolveStatus::TimeLimit);
            break;
        }
        if let Some(x) = best
            .as_ref()
            .filter(|_| model.objective[tier].iter().all(|&c| c == 0))
        {
            fixed.push((tier, model.tier_value(tier, x).round() as i64));
            continue;
        }
        let start = if tier == 0 {
            warm.as_deref()
        } else {
            best.as_deref()
        };
        let settings = Settings {
            integer: model.integer,
            all_binary: false,
            time_limit: left(),
            mip_gap,
        };
        // The continuous variables of a MIP are integral at an optimum only while the earlier
        // tiers' rows cut along faces; when they do not, the point comes back fractional and
        // the stage is solved again with every variable binary.
        let result = match attempt(tier, &fixed, settings, start) {
            Ok(s) if s.fractional && model.integer => {
                let binary = Settings {
                    all_binary: true,
                    time_limit: left(),
                    ..settings
                };
                match attempt(tier, &fixed, binary, start) {
                    Ok(again) if !again.fractional => Ok(again),
                    _ => Ok(s),
                }
            }
            other => other,
        };
        match result {
            Ok(s)
                if tier == 0
                    && warm_tier1.is_some_and(|w| w < model.tier_value(0, &s.x).round() as i64) =>
            {
                // Stopped with something worse than the starting schedule: keep that. Without a
                // time limit the backend claimed a worse optimum: an error, not a limit.
                status = if time_limit.is_some() {
                    SolveStatus::TimeLimit
                } else {
                    SolveStatus::BackendError
                };
                message = Some("the backend stopped before matching the priority-then-FCFS starting schedule; kept it".to_owned());
                best = warm.clone();
                break;
            }
            Ok(s) => {
                status = status.max(match s.status {
                    SolutionStatus::Optimal => SolveStatus::Optimal,
                    SolutionStatus::GapLimit => SolveStatus::GapLimit,
                    SolutionStatus::TimeLimit => SolveStatus::TimeLimit,
                });
                let keeps_earlier = fixed
                    .iter()
                    .all(|&(k, value)| model.tier_value(k, &s.x).round() as i64 <= value);
                if !model.violated(&s.x).is_empty() || !keeps_earlier {
                    // Rounding a fractional point lost feasibility or an earlier tier's optimum:
                    // keep the previous tier's schedule and say so.
                    status = status.max(SolveStatus::GapLimit);
                    message = Some(format!(
                        "tier `{}` returned a fractional point; the schedule optimises the tiers before it",
                        model.names[tier]
                    ));
                    if best.is_none() {
                        status = SolveStatus::NoSolution;
                    }
                    break;
                }
                if s.fractional {
                    // Rounded, the point still keeps every row and earlier tier, but may be
                    // worse than the backend's value: no longer proven optimal.
                    status = status.max(SolveStatus::GapLimit);
                    message = Some(format!(
                        "tier `{}` returned a fractional point; its rounding is kept",
                        model.names[tier]
                    ));
                }
                let value = model.tier_value(tier, &s.x).round() as i64;
                if tier == 0 && matches!(s.status, SolutionStatus::Optimal) && !s.fractional {
                    tier1_proven = Some(value);
                }
                fixed.push((tier, value));
                best = Some(s.x);
            }
            Err(e) => {
                let stopped = status_of_error(left());
                if tier == 0 && warm.is_some() {
                    message = Some(format!(
                        "no schedule from the backend ({e}); kept the priority-then-FCFS starting schedule"
                    ));
                    status = stopped;
                    best = warm.clone();
                } else if tier == 0 {
                    message = Some(e.to_string());
                    status = SolveStatus::NoSolution;
                } else {
                    status = status.max(stopped);
                    message = Some(format!("tier `{}` not improved: {e}", model.names[tier]));
                }
                break;
            }
        }
    }
    if status != SolveStatus::Optimal {
        if let Some(x) = best.as_mut() {
            let added = fill(model, x);
            if added > 0 {
                let note = format!("{added} bookings added into room the stopped backend left");
                message = Some(match message {
                    Some(m) => format!("{m}; {note}"),
                    None => note,
                });
            }
        }
    }
    let tier1_value = best
        .as_ref()
        .map_or(0, |x| model.tier_value(0, x).round() as i64);
    // The LP relaxation bounds tier 1; it gets what is left of the time, and none when none is.
    let time_left = left();
    let tier1_bound = if let Some(optimum) = tier1_proven.filter(|_| status != SolveStatus::Optimal)
    {
        Some(optimum as f64)
    } else if model.integer
        && status != SolveStatus::Optimal
        && best.is_some()
        && !time_left.is_some_and(|t| t.is_zero())
    {
        let relaxed = Settings {
            integer: false,
            all_binary: false,
            time_limit: time_left,
            mip_gap: None,
        };
        attempt(0, &[], relaxed, None)
            .ok()
            .map(|relaxed| relaxed.value)
    } else {
        None
    };
    ModelResult {
        x: best,
        status,
        tier1_value,
        tier1_bound,
        message,
    }
}

/// The status of a component whose backend returned an error, given the time left (`None`: no
/// limit): out of time, the error is the limit (`time_limit`); with time left, or no limit, it
/// is an error (`backend_error`).
fn status_of_error(left: Option<Duration>) -> SolveStatus {
    if left.is_some_and(|l| l.is_zero()) {
        SolveStatus::TimeLimit
    } else {
        SolveStatus::BackendError
    }
}

/// Books, greedily, what a stopped backend left unbooked: each candidate whose booking lowers
/// the objective lexicographically (its change in tier 1, then 2, and so on, compared with
/// leaving the referral unbooked: the first non-zero change is negative), most negative first
/// (then variable order), is added when its referral is unbooked and every row still holds.
/// Returns how many were added.
///
/// Every addition is a lexicographic improvement: it changes only its referral's costs, and
/// only candidates whose change is lexicographically negative are taken. (Under the terms of
/// this crate a booking inside the horizon never costs more than staying unbooked in any
/// date-based term, so with `treat_in_turn` in the objective every candidate qualifies.)
fn fill(model: &ComponentModel, x: &mut [f64]) -> usize {
    let mut rows_of: Vec<Vec<(usize, f64)>> = vec![Vec::new(); model.vars.len()];
    let mut activity = vec![0.0; model.rows.len()];
    for (k, row) in model.rows.iter().enumerate() {
        for &(v, c) in &row.terms {
            rows_of[v].push((k, c));
            activity[k] += c * x[v];
        }
    }
    let mut booked: std::collections::BTreeSet<usize> = model
        .vars
        .iter()
        .zip(x.iter())
        .filter(|(_, &value)| value > 0.5)
        .map(|(&(ri, _), _)| ri)
        .collect();
    let gain = |v: usize| -> Vec<i64> { model.objective.iter().map(|tier| tier[v]).collect() };
    let zero = vec![0i64; model.objective.len()];
    let mut order: Vec<usize> = (0..model.vars.len()).filter(|&v| gain(v) < zero).collect();
    order.sort_by_key(|&v| (gain(v), v));
    let mut added = 0;
    for v in order {
        let ri = model.vars[v].0;
        if booked.contains(&ri) {
            continue;
        }
        let fits = rows_of[v]
            .iter()
            .all(|&(k, c)| activity[k] + c <= model.rows[k].upper + 1e-9);
        if fits {
            for &(k, c) in &rows_of[v] {
                activity[k] += c;
            }
            x[v] = 1.0;
            booked.insert(ri);
            added += 1;
        }
    }
    added
}

/// Solves `model` on `backend`, which the caller has checked is compiled, starting from `warm`
/// when given (see [`run`]).
pub(crate) fn solve_model(
    model: &ComponentModel,
    backend: Backend,
    time_limit: Option<Duration>,
    mip_gap: Option<f64>,
    warm: Option<Vec<f64>>,
) -> ModelResult {
    match backend {
        #[cfg(feature = "microlp")]
        Backend::Microlp => run(
            Engine {
                create: good_lp::solvers::microlp::microlp,
                retry: None,
                mip_start: true,
            },
            model,
            time_limit,
            mip_gap,
            warm,
        ),
        #[cfg(feature = "highs")]
        // HiGHS 1.16 is handed no MIP start: with one, its presolve can map the start to a
        // better objective than it has and then prune the true optimum (a case the property
        // test found, kept in tests/baselines.rs). The starting schedule still bounds the
        // result from above here, in `run`.
        Backend::Highs => run(
            Engine {
                create: highs_quiet,
                retry: Some(highs_without_presolve),
                mip_start: false,
            },
            model,
            time_limit,
            mip_gap,
            warm,
        ),
        #[cfg(feature = "cbc")]
        Backend::Cbc => run(
            Engine {
                create: good_lp::solvers::coin_cbc::coin_cbc,
                retry: None,
                mip_start: true,
            },
            model,
            time_limit,
            mip_gap,
            warm,
        ),
        #[allow(unreachable_patterns)]
        other => ModelResult {
            x: None,
            status: SolveStatus::NoSolution,
            tier1_value: 0,
            tier1_bound: None,
            message: Some(format!("backend {other} is not compiled")),
        },
    }
}

#[cfg(feature = "highs")]
fn highs_quiet(problem: UnsolvedProblem) -> good_lp::solvers::highs::HighsProblem {
    good_lp::solvers::highs::highs(problem).set_threads(1)
}

#[cfg(feature = "highs")]
fn highs_without_presolve(problem: UnsolvedProblem) -> good_lp::solvers::highs::HighsProblem {
    highs_quiet(problem).set_presolve(good_lp::solvers::highs::HighsPresolveType::Off)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, InstanceConfig};
    use crate::model::Problem;
    use crate::solve::prepare;

    /// Declaring the transportation part of a MIP component continuous changes no tier's
    /// optimum: on small generated lists with shared patients (overlap rows) and some minutes
    /// sessions, each MIP component is solved as built (some variables continuous) and with
    /// every variable binary, and the three tier values agree, both proven optimal.
    #[test]
    fn continuous_transportation_part_changes_no_optimum() {
        let mut mixed_models = 0;
        for seed in 0..30 {
            let mut problem = generate(&InstanceConfig {
                referrals: 14,
                slots: 8,
                sites: 2,
                slot_capacity: 2,
                candidates_per_referral: 4,
                sessions: false,
                horizon_days: 14,
                mean_wait_days: 40.0,
                seed,
            });
            for i in (3..problem.referrals.len()).step_by(4) {
                problem.referrals[i].patient = problem.referrals[i - 1].patient.clone();
            }
            for (k, slot) in problem.slots.iter_mut().enumerate() {
                if k % 3 == 0 {
                    slot.minutes_capacity = Some(u32::try_from(slot.duration_minutes()).unwrap());
                }
            }
            let prepared = prepare(&problem).unwrap();
            for comp in prepared.comps.iter().filter(|c| !c.is_capacity_only()) {
                let model = ComponentModel::build(&problem, &prepared.cands, &prepared.costs, comp);
                if model.binary.iter().all(|&b| b) {
                    continue;
                }
                mixed_models += 1;
                let mut all_binary = model.clone();
                all_binary.binary = vec![true; model.vars.len()];
                let values = |m: &ComponentModel| {
                    let result = solve_model(m, Backend::best_compiled(), None, None, None);
                    assert_eq!(result.status, SolveStatus::Optimal, "seed {seed}");
                    let x = result.x.unwrap();
                    assert!(m.violated(&x).is_empty(), "seed {seed}");
                    [0, 1, 2].map(|k| m.tier_value(k, &x).round() as i64)
                };
                assert_eq!(values(&model), values(&all_binary), "seed {seed}");
            }
        }
        // The lists do hold MIP components with a continuous part.
        assert!(mixed_models >= 10, "{mixed_models} mixed models");
    }

    #[test]
    fn a_backend_error_is_a_limit_only_when_the_time_is_spent() {
        assert_eq!(
            status_of_error(Some(Duration::ZERO)),
            SolveStatus::TimeLimit
        );
        assert_eq!(
            status_of_error(Some(Duration::from_secs(3))),
            SolveStatus::BackendError
        );
        assert_eq!(status_of_error(None), SolveStatus::BackendError);
    }

    #[test]
    fn fill_books_what_a_stopped_backend_left_best_gain_first() {
        let mut problem =
            Problem::from_json(include_str!("../../examples/data/small_clinic.json")).unwrap();
        // The first objective, whose breach gains the comments below count.
        problem.policy.objective = crate::Objective::Preset(crate::Preset::ClockStopBreaches);
        problem.policy.look_ahead_days = 0;
        let prepared = prepare(&problem).unwrap();
        // Component 1 is the 240-minute colonoscopy list: R-COL-1 (60 minutes, breaches
        // whether booked or not), R-COL-2 (90) and R-COL-3 (120), each avoiding a breach if
        // booked.
        let comp = &prepared.comps[1];
        let model = ComponentModel::build(&problem, &prepared.cands, &prepared.costs, comp);
        let name = |v: usize| problem.referrals[model.vars[v].0].id.as_str().to_owned();
        let mut x = vec![0.0; model.vars.len()];
        let added = fill(&model, &mut x);
        // R-COL-2 and R-COL-3 gain a breach each and go first (90 + 120 = 210 minutes); R-COL-1's
        // 60 minutes no longer fit in the 30 left.
        let mut booked: Vec<String> = (0..x.len()).filter(|&v| x[v] > 0.5).map(name).collect();
        booked.sort();
        assert_eq!(added, 2);
        assert_eq!(booked, vec!["R-COL-2", "R-COL-3"]);
        assert!(model.violated(&x).is_empty());
        // Nothing more fits: a second pass adds nothing.
        assert_eq!(fill(&model, &mut x), 0);
    }
}
