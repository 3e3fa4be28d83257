//! A component's model as free MPS.

use super::{number, ExportObjective, View};
use crate::error::{Error, Result};
use crate::formulation::{
    ComponentModel, BOOK_AT_MOST_ONCE, FIRST_PLACE, PATHWAY_ORDER, PATIENT_OVERLAP, SLOT_COUNT,
    SLOT_MINUTES,
};
use crate::solve::Prepared;
use std::io::Write;

/// Writes component `component`'s model as free MPS to `out`, minimising `objective`.
///
/// The model is the one the MIP/LP backend solves: one column per candidate (referral, slot)
/// pair, `x<r>_<s>` for referral `r` and slot `s` (their positions in `Problem::referrals` and
/// `Problem::slots`, from 0). A column is binary (between `MARKER 'INTORG'` and `'INTEND'`,
/// bound `BV`) when it is in a minutes, overlap, first-place or pathway row, as the backend
/// declares it;
/// every other column is continuous in `[0, 1]` (bound `UP 1`): all of them in a capacity-only
/// component, whose LP is integral, and the transportation part of any other, which is integral
/// once the binary columns are fixed. Rows, all `L` (`<=`), named by family:
/// `once_r<r>` (referral `r` booked at most once), `count_s<s>` (slot `s`'s count left, only
/// where it can bind), `minutes_s<s>` (slot `s`'s minutes left), `overlap_<n>` (two overlapping
/// slots of one patient), `first_place_<n>` (two referrals never both needing one slot's first
/// place), `pathway_<n>` (a later pathway step only after the earlier one), and
/// for [`ExportObjective::TierAfter`] `fix_<tier name>` (an earlier tier held at its value).
///
/// The objective row `obj` holds each column's cost relative to leaving its referral unbooked;
/// the cost of leaving every referral unbooked is the objective's constant, written as the RHS
/// of `obj` negated (objective = row + constant, as HiGHS reads it; a reader that ignores an
/// objective RHS drops the constant) and in a comment line. So the optimum of the file,
/// constant included, is the component's objective value (see [`super::objective_value`]).
/// Sense: minimise (the MPS default, no `OBJSENSE` section). Coefficients are exact integers
/// (minutes, counts and costs); comment lines start with `*`. The same arguments give the same
/// bytes every time.
///
/// # Errors
/// [`Error::InvalidOption`] when there is no such component, for a tier outside 0..=2, or for
/// `TierAfter` whose `earlier` does not hold `tier` values; [`Error::ObjectiveOverflow`] when the
/// objective's costs, constant or combination weights do not fit in `i64` (see
/// [`super::lexicographic_weights`]); [`Error::Io`] when writing fails.
pub fn write_mps<W: Write>(
    prepared: &Prepared<'_>,
    component: usize,
    objective: &ExportObjective,
    out: W,
) -> Result<()> {
    let view = View::new(prepared, component)?;
    let earlier: &[i64] = match objective {
        ExportObjective::TierAfter { tier, earlier } if earlier.len() != *tier => {
            return Err(Error::InvalidOption {
                option: "objective",
                reason: format!(
                    "TierAfter for tier {tier} needs {tier} earlier values, got {}",
                    earlier.len()
                ),
            })
        }
        ExportObjective::TierAfter { earlier, .. } => earlier,
        _ => &[],
    };
    let (coefs, constant) = linear(&view, objective, objective_tier(objective))?;
    // Each held tier: its coefficients and the row's right-hand side (value minus constant).
    let mut held = Vec::with_capacity(earlier.len());
    for (j, &value) in earlier.iter().enumerate() {
        let (c, k) = linear(&view, &ExportObjective::Tier(j), j)?;
        let rhs = value.checked_sub(k).ok_or(view.overflow(j))?;
        held.push((c, rhs));
    }

    let model = ComponentModel::build(view.problem, view.cands, view.costs, view.comp);
    let column = |v: usize| {
        let (ri, ci) = model.vars[v];
        format!("x{ri}_{}", view.cands.per_referral[ri][ci].slot)
    };
    let mut names = Vec::with_capacity(model.rows.len() + held.len());
    let (mut overlaps, mut firsts, mut pathways) = (0usize, 0usize, 0usize);
    for row in &model.rows {
        let first = row.terms.first().map(|&(v, _)| model.vars[v]);
        let slot = first.map_or(0, |(ri, ci)| view.cands.per_referral[ri][ci].slot);
        names.push(match row.family {
            BOOK_AT_MOST_ONCE => format!("once_r{}", first.map_or(0, |(ri, _)| ri)),
            SLOT_COUNT => format!("count_s{slot}"),
            SLOT_MINUTES => format!("minutes_s{slot}"),
            PATIENT_OVERLAP => {
                overlaps += 1;
                format!("overlap_{}", overlaps - 1)
            }
            FIRST_PLACE => {
                firsts += 1;
                format!("first_place_{}", firsts - 1)
            }
            PATHWAY_ORDER => {
                pathways += 1;
                format!("pathway_{}", pathways - 1)
            }
            other => other.to_owned(),
        });
    }
    for k in 0..held.len() {
        names.push(format!("fix_tier_{}", k + 1));
    }
    // Entries of each column, in row order.
    let mut entries: Vec<Vec<(usize, f64)>> = vec![Vec::new(); model.vars.len()];
    for (r, row) in model.rows.iter().enumerate() {
        for &(v, c) in &row.terms {
            entries[v].push((r, c));
        }
    }

    let mut w = std::io::BufWriter::new(out);
    let tier_text = |k: usize| view.tier_text(k);
    writeln!(
        w,
        "* appointment-optimiser: component {component}, {} referrals, {} slots, {} columns, {} rows",
        view.comp.referrals.len(),
        view.comp.slots.len(),
        model.vars.len(),
        names.len()
    )?;
    match objective {
        ExportObjective::Lexicographic => {
            let weights = view.weights()?;
            writeln!(
                w,
                "* objective: minimise {} (exactly lexicographic)",
                view.combined_text(&weights)
            )?;
        }
        ExportObjective::Tier(k) => writeln!(w, "* objective: minimise {}", tier_text(*k))?,
        ExportObjective::TierAfter { tier, earlier } => {
            let held: Vec<String> = earlier
                .iter()
                .enumerate()
                .map(|(j, v)| format!("{} <= {v}", tier_text(j)))
                .collect();
            writeln!(
                w,
                "* objective: minimise {} with {}",
                tier_text(*tier),
                held.join(" and ")
            )?;
        }
    }
    writeln!(
        w,
        "* objective constant: {constant} (the RHS of row obj is its negation)"
    )?;
    writeln!(
        w,
        "* column x<r>_<s>: referral r booked in slot s (positions in the problem's referrals and slots, from 0)"
    )?;
    writeln!(w, "NAME component_{component}")?;
    writeln!(w, "ROWS")?;
    writeln!(w, " N obj")?;
    for name in &names {
        writeln!(w, " L {name}")?;
    }
    writeln!(w, "COLUMNS")?;
    // `binary` is all false in a capacity-only component.
    let binary = |v: usize| model.binary[v];
    let mut in_marker = false;
    for v in 0..model.vars.len() {
        if binary(v) != in_marker {
            in_marker = binary(v);
            let marker = if in_marker { "INTORG" } else { "INTEND" };
            writeln!(w, " MARKER 'MARKER' '{marker}'")?;
        }
        let name = column(v);
        if coefs[v] != 0 {
            writeln!(w, " {name} obj {}", coefs[v])?;
        }
        for &(r, c) in &entries[v] {
            writeln!(w, " {name} {} {}", names[r], number(c))?;
        }
        for (j, (c, _)) in held.iter().enumerate() {
            if c[v] != 0 {
                writeln!(w, " {name} {} {}", names[model.rows.len() + j], c[v])?;
            }
        }
    }
    if in_marker {
        writeln!(w, " MARKER 'MARKER' 'INTEND'")?;
    }
    writeln!(w, "RHS")?;
    if constant != 0 {
        let negated = constant
            .checked_neg()
            .ok_or(view.overflow(objective_tier(objective)))?;
        writeln!(w, " RHS obj {negated}")?;
    }
    for (r, row) in model.rows.iter().enumerate() {
        if row.upper != 0.0 {
            writeln!(w, " RHS {} {}", names[r], number(row.upper))?;
        }
    }
    for (j, (_, rhs)) in held.iter().enumerate() {
        if *rhs != 0 {
            writeln!(w, " RHS {} {rhs}", names[model.rows.len() + j])?;
        }
    }
    writeln!(w, "BOUNDS")?;
    for v in 0..model.vars.len() {
        if binary(v) {
            writeln!(w, " BV BND {}", column(v))?;
        } else {
            writeln!(w, " UP BND {} 1", column(v))?;
        }
    }
    writeln!(w, "ENDATA")?;
    w.flush()?;
    Ok(())
}

/// The tier an objective's overflow is reported against.
fn objective_tier(objective: &ExportObjective) -> usize {
    match objective {
        ExportObjective::Tier(k) | ExportObjective::TierAfter { tier: k, .. } => *k,
        ExportObjective::Lexicographic => 0,
    }
}

/// The objective's coefficient of each model column (cost booked minus cost unbooked, in the
/// model's column order) and its constant (every referral unbooked), checked.
fn linear(view: &View<'_>, objective: &ExportObjective, tier: usize) -> Result<(Vec<i64>, i64)> {
    let options = view.option_costs(objective)?;
    let mut coefs = Vec::new();
    let mut constant = 0i64;
    for (booked, unbooked) in options {
        constant = constant.checked_add(unbooked).ok_or(view.overflow(tier))?;
        for c in booked {
            coefs.push(c.checked_sub(unbooked).ok_or(view.overflow(tier))?);
        }
    }
    Ok((coefs, constant))
}
