//! Components solved by a `good_lp` backend, tier by tier.

use super::Backend;
use crate::formulation::ComponentModel;
use crate::schedule::SolveStatus;
use good_lp::solvers::{
    ResolutionError, Solution, SolutionStatus, SolverModel, WithMipGap, WithTimeLimit,
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

/// Solves one tier: minimise tier `tier` subject to the rows and to each earlier tier staying
/// at or below its fixed value.
fn stage<M>(
    create: fn(UnsolvedProblem) -> M,
    model: &ComponentModel,
    tier: usize,
    fixed: &[(usize, i64)],
    integer: bool,
    time_limit: Option<Duration>,
    mip_gap: Option<f64>,
) -> Result<Stage, ResolutionError>
where
    M: SolverModel<Error = ResolutionError> + WithTimeLimit + WithMipGap,
{
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

/// Runs the three tiers on `create`'s backend.
fn run<M>(
    create: fn(UnsolvedProblem) -> M,
    model: &ComponentModel,
    time_limit: Option<Duration>,
    mip_gap: Option<f64>,
) -> ModelResult
where
    M: SolverModel<Error = ResolutionError> + WithTimeLimit + WithMipGap,
{
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
        match stage(create, model, tier, &fixed, model.integer, left(), mip_gap) {
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
                if tier == 0 {
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
    let tier1_bound = if model.integer && status != SolveStatus::Optimal && best.is_some() {
        stage(create, model, 0, &[], false, None, None)
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

/// Solves `model` on `backend`, which the caller has checked is compiled.
pub(crate) fn solve_model(
    model: &ComponentModel,
    backend: Backend,
    time_limit: Option<Duration>,
    mip_gap: Option<f64>,
) -> ModelResult {
    match backend {
        #[cfg(feature = "microlp")]
        Backend::Microlp => run(
            good_lp::solvers::microlp::microlp,
            model,
            time_limit,
            mip_gap,
        ),
        #[cfg(feature = "highs")]
        Backend::Highs => run(highs_quiet, model, time_limit, mip_gap),
        #[cfg(feature = "cbc")]
        Backend::Cbc => run(
            good_lp::solvers::coin_cbc::coin_cbc,
            model,
            time_limit,
            mip_gap,
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
