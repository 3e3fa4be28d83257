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
    status: SolutionStatus,
}

/// How a stage is solved.
#[derive(Clone, Copy)]
struct Settings {
    /// Binary variables (else continuous in 0..=1).
    integer: bool,
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
        time_limit,
        mip_gap,
    } = settings;
    let mut vars = ProblemVariables::new();
    let x: Vec<Variable> = model
        .vars
        .iter()
        .map(|_| {
            let v = variable().min(0).max(1);
            vars.add(if integer { v.integer() } else { v })
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
    for &(k, value) in fixed {
        // Tier values are integers. With integer variables half a unit keeps exactly the
        // optimal schedules. With continuous variables (a transportation problem) the row must
        // cut out exactly the optimal face, whose vertices are 0/1: any slack would add
        // fractional vertices that the next tier could prefer.
        let slack = if integer { 0.5 } else { 0.0 };
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
        x: raw
            .iter()
            .map(|&v| if v > 0.5 { 1.0 } else { 0.0 })
            .collect(),
        value: model.tier_value(tier, &raw),
        status: solution.status(),
    })
}

/// Runs the three tiers on `create`'s backend. `warm`, a feasible schedule of the component
/// (0/1 per variable), starts the MIP and is kept if the backend finds nothing better for tier 1
/// in time.
fn run<M>(
    create: fn(UnsolvedProblem) -> M,
    model: &ComponentModel,
    time_limit: Option<Duration>,
    mip_gap: Option<f64>,
    warm: Option<Vec<f64>>,
) -> ModelResult
where
    M: SolverModel<Error = ResolutionError> + WithTimeLimit + WithMipGap + WithInitialSolution,
{
    let warm = warm
        .filter(|w| model.integer && w.len() == model.vars.len() && model.violated(w).is_empty());
    let warm_tier1 = warm.as_ref().map(|w| model.tier_value(0, w).round() as i64);
    let started = Instant::now();
    let left = || time_limit.map(|t| t.saturating_sub(started.elapsed()));
    let mut best: Option<Vec<f64>> = None;
    let mut status = SolveStatus::Optimal;
    let mut fixed: Vec<(usize, i64)> = Vec::new();
    let mut message = None;
    for tier in 0..3 {
        if tier > 0 && left().is_some_and(|l| l.is_zero()) {
            status = status.max(SolveStatus::TimeLimit);
            break;
        }
        let start = if tier == 0 {
            warm.as_deref()
        } else {
            best.as_deref()
        };
        let settings = Settings {
            integer: model.integer,
            time_limit: left(),
            mip_gap,
        };
        match stage(create, model, tier, &fixed, settings, start) {
            Ok(s)
                if tier == 0
                    && warm_tier1.is_some_and(|w| w < model.tier_value(0, &s.x).round() as i64) =>
            {
                // Stopped with something worse than the starting schedule: keep that.
                status = SolveStatus::TimeLimit;
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
                        "tier {} returned a fractional point; the schedule optimises the tiers before it",
                        tier + 1
                    ));
                    if best.is_none() {
                        status = SolveStatus::NoSolution;
                    }
                    break;
                }
                let value = model.tier_value(tier, &s.x).round() as i64;
                fixed.push((tier, value));
                best = Some(s.x);
            }
            Err(e) => {
                if tier == 0 && warm.is_some() {
                    message = Some(format!(
                        "no schedule from the backend ({e}); kept the priority-then-FCFS starting schedule"
                    ));
                    status = SolveStatus::TimeLimit;
                    best = warm.clone();
                } else if tier == 0 {
                    message = Some(e.to_string());
                    status = SolveStatus::NoSolution;
                } else {
                    status = status.max(SolveStatus::TimeLimit);
                    message = Some(format!("tier {} not improved: {e}", tier + 1));
                }
                break;
            }
        }
    }
    let tier1_value = best
        .as_ref()
        .map_or(0, |x| model.tier_value(0, x).round() as i64);
    // The LP relaxation bounds tier 1; it gets what is left of the time, and none when none is.
    let time_left = left();
    let tier1_bound = if model.integer
        && status != SolveStatus::Optimal
        && best.is_some()
        && !time_left.is_some_and(|t| t.is_zero())
    {
        let relaxed = Settings {
            integer: false,
            time_limit: time_left,
            mip_gap: None,
        };
        stage(create, model, 0, &[], relaxed, None)
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
            good_lp::solvers::microlp::microlp,
            model,
            time_limit,
            mip_gap,
            warm,
        ),
        #[cfg(feature = "highs")]
        Backend::Highs => run(highs_quiet, model, time_limit, mip_gap, warm),
        #[cfg(feature = "cbc")]
        Backend::Cbc => run(
            good_lp::solvers::coin_cbc::coin_cbc,
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
