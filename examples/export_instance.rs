//! Generates a capacity-only instance, solves it end to end with timings, and writes it for
//! peer solvers: DIMACS min-cost flow and free MPS, with our optimum of each file in
//! `ours.json`. `benches/peers/compare.sh` runs it and then the peers.
//!
//! ```text
//! cargo run --release --example export_instance -- --referrals 20000 --slots 5000 --seed 1 --out DIR
//! ```
//!
//! Files written to DIR (default `out/peers`):
//! - `tier1.dimacs`: the first tier of the policy's objective that can be non-zero on this
//!   list ([`appointment_optimiser::Prepared::active_tiers`]; under the default `nhs_england`,
//!   clinical days late) as min-cost flow;
//! - `lexicographic.dimacs`: the exactly lexicographic combined objective, when its weights fit
//!   in 64-bit integers (`ours.json` says why not otherwise);
//! - `tier1.mps`, `tier2.mps`, `tier3.mps`: the LP of each of the first three such tiers, with
//!   the tiers before it held at our optimal values by rows;
//! - `ours.json`: sizes, our times (build = checks, candidates, costs, components; solve =
//!   the tier solves and the schedule), our tier values, the weights, and for each
//!   file the optimum a peer must find.
//!
//! The instance must be one component (generated capacity-only instances of these sizes are).

use appointment_optimiser::export::{
    component_values, lexicographic_weights, objective_value, write_dimacs, write_mps,
    ExportObjective,
};
use appointment_optimiser::generate::{generate, InstanceConfig};
use appointment_optimiser::{prepare, validate, SolveOptions};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| -> Option<&str> {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(String::as_str)
    };
    let number = |name: &str, default: u64| -> Result<u64, String> {
        value(name).map_or(Ok(default), |v| {
            v.parse().map_err(|_| format!("{name} {v}: not a number"))
        })
    };
    let referrals = number("--referrals", 20_000)? as usize;
    let slots = number("--slots", 5_000)? as usize;
    let seed = number("--seed", 1)?;
    let out = PathBuf::from(value("--out").unwrap_or("out/peers"));
    std::fs::create_dir_all(&out)?;

    let config = InstanceConfig::capacity_only(referrals, slots, seed);
    let problem = generate(&config);

    // End to end: checks, candidates, costs, components, the tier solves, schedule.
    let started = Instant::now();
    let prepared = prepare(&problem)?;
    let build = started.elapsed().as_secs_f64();
    let schedule = prepared.solve(&SolveOptions::new())?;
    let total = started.elapsed().as_secs_f64();
    let violations = validate(&problem, &schedule).len();
    if violations > 0 {
        return Err(format!("the schedule breaks {violations} rules").into());
    }
    if prepared.component_count() != 1 {
        return Err(format!(
            "the instance has {} components; the peer comparison expects one",
            prepared.component_count()
        )
        .into());
    }
    let values = component_values(&prepared, 0, &schedule)?;
    eprintln!(
        "{referrals} referrals x {slots} slots, seed {seed}: {} candidate pairs; ours {total:.3} s (build {build:.3} s, solve {:.3} s), tiers {values:?}, status {:?}",
        prepared.candidate_count(),
        total - build,
        schedule.stats.status
    );

    let mut files = Vec::new();
    let mut write = |name: &str,
                     objective: ExportObjective,
                     dimacs: bool|
     -> Result<(), Box<dyn std::error::Error>> {
        let t = Instant::now();
        let file = std::io::BufWriter::new(std::fs::File::create(out.join(name))?);
        if dimacs {
            write_dimacs(&prepared, 0, &objective, file)?;
        } else {
            write_mps(&prepared, 0, &objective, file)?;
        }
        let expected = objective_value(&prepared, 0, &objective, &schedule)?;
        eprintln!("wrote {name} in {:.2} s", t.elapsed().as_secs_f64());
        files.push(serde_json::json!({
            "file": name,
            "format": if dimacs { "dimacs" } else { "mps" },
            "objective": format!("{objective:?}"),
            "ours": expected,
        }));
        Ok(())
    };
    // The first three tiers that can be non-zero here (the others cost 0 on every option and
    // are not solved: under nhs_england, the existing-booking and cancer tiers of this list).
    let active = prepared.active_tiers().to_vec();
    let first = active.first().copied().unwrap_or(0);
    write("tier1.dimacs", ExportObjective::Tier(first), true)?;
    let weights = lexicographic_weights(&prepared, 0);
    if weights.is_ok() {
        write("lexicographic.dimacs", ExportObjective::Lexicographic, true)?;
    }
    write("tier1.mps", ExportObjective::Tier(first), false)?;
    for (n, &tier) in active.iter().enumerate().skip(1).take(2) {
        let objective = ExportObjective::TierAfter {
            tier,
            earlier: values[..tier].to_vec(),
        };
        write(&format!("tier{}.mps", n + 1), objective, false)?;
    }
    let ours = serde_json::json!({
        "referrals": referrals,
        "slots": slots,
        "seed": seed,
        "candidate_pairs": prepared.candidate_count(),
        "components": prepared.component_count(),
        "build_s": build,
        "solve_s": total - build,
        "total_s": total,
        "tiers": values,
        "lexicographic_weights": weights.as_ref().ok(),
        "lexicographic_overflow": weights.as_ref().err().map(ToString::to_string),
        "files": files,
    });
    std::fs::write(
        out.join("ours.json"),
        serde_json::to_string_pretty(&ours)? + "\n",
    )?;
    if let Err(e) = &weights {
        eprintln!("lexicographic.dimacs not written: {e}");
    }
    Ok(())
}
