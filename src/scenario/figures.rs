//! Published figures a scenario is built from: the embedded default and the CSV files of
//! `shared/data`.

use crate::model::SiteKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Number of RTT week bands: `wk_000_001` to `wk_103_104`, then `wk_104_plus`.
pub const WEEK_BANDS: usize = 105;

/// A site with its published coordinates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteFigure {
    /// Name as published.
    pub name: String,
    /// Kind of provider.
    pub kind: SiteKind,
    /// Latitude, degrees north (WGS84).
    pub latitude: f64,
    /// Longitude, degrees east (WGS84).
    pub longitude: f64,
}

/// The figures of one provider and treatment function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// ODS code of the provider, e.g. `RAJ`.
    pub provider_code: String,
    /// Provider name.
    pub provider_name: String,
    /// Treatment function code as in the RTT returns, e.g. `C_110`.
    pub treatment_function: String,
    /// Treatment function name.
    pub treatment_function_name: String,
    /// Patients waiting (RTT incomplete pathways) per week band at the end of the month:
    /// `WEEK_BANDS` counts, band k being "k to k+1 weeks", the last "over 104 weeks".
    pub week_bands: Vec<u32>,
    /// New RTT clock starts in the month (Part 3): demand.
    pub new_clock_starts: u32,
    /// Clock stops with admission in the month (Part 1A): operations.
    pub completed_admitted: u32,
    /// Clock stops without admission in the month (Part 1B): outpatient activity.
    pub completed_non_admitted: u32,
    /// Patients waiting with a decision to admit (Part 2A).
    pub incomplete_with_dta: u32,
    /// The trust's own sites.
    pub trust_sites: Vec<SiteFigure>,
    /// Community diagnostic centres of its integrated care board.
    pub diagnostic_centres: Vec<SiteFigure>,
}

/// Mid and South Essex NHS Foundation Trust (`RAJ`), trauma and orthopaedics (`C_110`), April
/// 2026. Sources: NHS England RTT waiting times, April 2026 full CSV extract (incomplete pathways
/// by week band, Part 2; flows, Parts 1A, 1B, 2A and 3), as cut in
/// `shared/data/rtt_incomplete_apr2026_provider_tfc_weekbands.csv` and
/// `rtt_flows_apr2026_provider_tfc.csv`; sites: GOV.UK elective recovery map data, October 2025
/// (`surgical_hubs_govuk_2025.csv`: the trust's two elective surgical hubs;
/// `cdc_sites_govuk_2025-10.csv`: the four CDCs of Mid and South Essex ICB, E54000026).
/// Published under the Open Government Licence v3.0.
const RAJ_C110_WEEK_BANDS: [u32; WEEK_BANDS] = [
    229, 194, 252, 131, 376, 405, 379, 354, 372, 339, 300, 299, 359, 320, 352, 292, 243, 126, 211,
    278, 285, 298, 374, 355, 371, 336, 281, 327, 305, 296, 258, 280, 252, 212, 209, 146, 194, 206,
    224, 239, 196, 159, 194, 227, 280, 206, 210, 173, 160, 177, 170, 141, 162, 82, 168, 120, 154,
    156, 163, 151, 102, 79, 83, 78, 59, 79, 79, 84, 64, 23, 13, 37, 42, 40, 37, 46, 41, 32, 20, 21,
    29, 25, 30, 26, 28, 23, 29, 11, 8, 21, 16, 11, 17, 14, 13, 10, 9, 8, 5, 2, 5, 9, 0, 0, 15,
];

fn site(name: &str, kind: SiteKind, latitude: f64, longitude: f64) -> SiteFigure {
    SiteFigure {
        name: name.to_owned(),
        kind,
        latitude,
        longitude,
    }
}

impl Figures {
    /// The embedded default: Mid and South Essex NHS FT (`RAJ`), trauma and orthopaedics
    /// (`C_110`), April 2026: 16,131 waiting (5,322 within 18 weeks), 959 new clock starts,
    /// 435 admitted and 1,207 non-admitted clock stops in the month, 3,881 waiting with a
    /// decision to admit. Needs no files.
    pub fn embedded_default() -> Figures {
        Figures {
            provider_code: "RAJ".into(),
            provider_name: "MID AND SOUTH ESSEX NHS FOUNDATION TRUST".into(),
            treatment_function: "C_110".into(),
            treatment_function_name: "Trauma and Orthopaedic Service".into(),
            week_bands: RAJ_C110_WEEK_BANDS.to_vec(),
            new_clock_starts: 959,
            completed_admitted: 435,
            completed_non_admitted: 1207,
            incomplete_with_dta: 3881,
            trust_sites: vec![
                site(
                    "Braintree Community Hospital Elective Surgical Hub",
                    SiteKind::NhsTrust,
                    51.8800956,
                    0.5404309,
                ),
                site(
                    "Southend Hospital Surgery Unit",
                    SiteKind::NhsTrust,
                    51.553837,
                    0.689093,
                ),
            ],
            diagnostic_centres: vec![
                site(
                    "Braintree CDC",
                    SiteKind::CommunityDiagnosticCentre,
                    51.879565,
                    0.541216,
                ),
                site(
                    "Pitsea CDC",
                    SiteKind::CommunityDiagnosticCentre,
                    51.566152,
                    0.504043,
                ),
                site(
                    "Southend CDC",
                    SiteKind::CommunityDiagnosticCentre,
                    51.540481,
                    0.712882,
                ),
                site(
                    "Thurrock CDC",
                    SiteKind::CommunityDiagnosticCentre,
                    51.496375,
                    0.336197,
                ),
            ],
        }
    }

    /// Total patients waiting (the sum of the week bands).
    pub fn total_waiting(&self) -> u64 {
        self.week_bands.iter().map(|&n| u64::from(n)).sum()
    }

    /// Reads the figures of `provider` (ODS code, e.g. `RAJ`) and `treatment_function` (e.g.
    /// `C_110`; letter case does not matter) from the CSV files in `dir` (`shared/data`). Sites: the elective surgical hubs
    /// (as the trust's sites) and community diagnostic centres of integrated care board `icb`
    /// (a code such as `E54000026`); with `icb` absent, the board whose name matches the
    /// provider's parent organisation in the RTT file.
    ///
    /// # Errors
    /// [`ScenarioError::Io`] or [`ScenarioError::Csv`] for unreadable files;
    /// [`ScenarioError::Total`] for `C_999`, the provider's total;
    /// [`ScenarioError::NotFound`] when the provider and treatment function are not in the
    /// file (the message lists the provider's treatment functions, or says the provider is
    /// absent); [`ScenarioError::Icb`] when no board or several match, or it has no sites.
    pub fn from_csv(
        dir: &Path,
        provider: &str,
        treatment_function: &str,
        icb: Option<&str>,
    ) -> Result<Figures, ScenarioError> {
        let provider = provider.trim().to_uppercase();
        let treatment_function = treatment_function.trim().to_uppercase();
        let (provider, treatment_function) = (provider.as_str(), treatment_function.as_str());
        if treatment_function == "C_999" {
            return Err(ScenarioError::Total);
        }
        let bands_path = dir.join("rtt_incomplete_apr2026_provider_tfc_weekbands.csv");
        let flows_path = dir.join("rtt_flows_apr2026_provider_tfc.csv");
        let bands = read_csv(&bands_path)?;
        let flows = read_csv(&flows_path)?;
        let find = |table: &Table, path: &Path| -> Result<usize, ScenarioError> {
            let p = table.column(path, "provider_code")?;
            let t = table.column(path, "tfc_code")?;
            table
                .rows
                .iter()
                .position(|r| r[p] == provider && r[t] == treatment_function)
                .ok_or_else(|| {
                    let available: BTreeSet<String> = table
                        .rows
                        .iter()
                        .filter(|r| r[p] == provider && r[t] != "C_999")
                        .map(|r| r[t].clone())
                        .collect();
                    ScenarioError::NotFound {
                        file: path.to_path_buf(),
                        provider: provider.to_owned(),
                        treatment_function: treatment_function.to_owned(),
                        available: available.into_iter().collect(),
                    }
                })
        };
        let b = find(&bands, &bands_path)?;
        let f = find(&flows, &flows_path)?;
        let mut week_bands = Vec::with_capacity(WEEK_BANDS);
        for k in 0..WEEK_BANDS {
            let name = if k == WEEK_BANDS - 1 {
                "wk_104_plus".to_owned()
            } else {
                format!("wk_{k:03}_{:03}", k + 1)
            };
            week_bands.push(bands.number(&bands_path, b, &name)?);
        }
        let text =
            |t: &Table, path: &Path, row: usize, col: &str| -> Result<String, ScenarioError> {
                Ok(t.rows[row][t.column(path, col)?].clone())
            };
        let parent = text(&flows, &flows_path, f, "provider_parent_name")?;

        let cdc_path = dir.join("cdc_sites_govuk_2025-10.csv");
        let hubs_path = dir.join("surgical_hubs_govuk_2025.csv");
        let cdcs = read_csv(&cdc_path)?;
        let hubs = read_csv(&hubs_path)?;
        let icb_code = match icb {
            Some(code) => code.to_owned(),
            None => match_icb(&cdcs, &cdc_path, &parent)?,
        };
        let sites_of =
            |t: &Table, path: &Path, kind: SiteKind| -> Result<Vec<SiteFigure>, ScenarioError> {
                let code = t.column(path, "icb_code")?;
                let (name, lat, lon) = (
                    t.column(path, "name")?,
                    t.column(path, "lat")?,
                    t.column(path, "lon")?,
                );
                let mut out = Vec::new();
                for (i, r) in t
                    .rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r[code] == icb_code)
                {
                    let parse = |v: &str, field: &str| {
                        v.trim().parse::<f64>().map_err(|_| ScenarioError::Csv {
                            path: path.to_path_buf(),
                            line: i + 2,
                            message: format!("`{field}` is not a number: `{v}`"),
                        })
                    };
                    out.push(site(
                        r[name].trim(),
                        kind,
                        parse(&r[lat], "lat")?,
                        parse(&r[lon], "lon")?,
                    ));
                }
                Ok(out)
            };
        let trust_sites = sites_of(&hubs, &hubs_path, SiteKind::NhsTrust)?;
        let diagnostic_centres = sites_of(&cdcs, &cdc_path, SiteKind::CommunityDiagnosticCentre)?;
        if trust_sites.is_empty() && diagnostic_centres.is_empty() {
            return Err(ScenarioError::Icb {
                message: format!("integrated care board `{icb_code}` has no surgical hub or community diagnostic centre in the site files: pass another --icb code"),
            });
        }
        Ok(Figures {
            provider_code: provider.to_owned(),
            provider_name: text(&flows, &flows_path, f, "provider_name")?,
            treatment_function: treatment_function.to_owned(),
            treatment_function_name: text(&flows, &flows_path, f, "tfc_name")?,
            week_bands,
            new_clock_starts: flows.number(&flows_path, f, "new_clock_starts")?,
            completed_admitted: flows.number(&flows_path, f, "completed_admitted")?,
            completed_non_admitted: flows.number(&flows_path, f, "completed_non_admitted")?,
            incomplete_with_dta: flows.number(&flows_path, f, "incomplete_with_dta")?,
            trust_sites,
            diagnostic_centres,
        })
    }
}

/// What can go wrong reading published figures.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// A file could not be read.
    #[error("cannot read {}: {message}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        message: String,
    },
    /// A file is not the CSV expected.
    #[error("{} line {line}: {message}", .path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// Line number, 1 for the header.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The provider and treatment function are not in the file.
    #[error("provider `{provider}` treatment function `{treatment_function}` is not in {}: {}", .file.display(), if .available.is_empty() { "the provider is not in the file (give its ODS code, e.g. RAJ)".to_owned() } else { format!("its treatment functions there are {}", .available.join(", ")) })]
    NotFound {
        /// The file searched.
        file: PathBuf,
        /// The provider code asked for.
        provider: String,
        /// The treatment function asked for.
        treatment_function: String,
        /// The provider's treatment functions in the file (empty: provider absent).
        available: Vec<String>,
    },
    /// `C_999` is the provider's total over every treatment function, not one specialty.
    #[error("treatment function C_999 is the provider's total over all specialties: choose one treatment function, e.g. C_110")]
    Total,
    /// The integrated care board for the sites could not be settled.
    #[error("{message}")]
    Icb {
        /// What is wrong and what to pass.
        message: String,
    },
}

struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn column(&self, path: &Path, name: &str) -> Result<usize, ScenarioError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| ScenarioError::Csv {
                path: path.to_path_buf(),
                line: 1,
                message: format!("no column `{name}`"),
            })
    }

    fn number(&self, path: &Path, row: usize, name: &str) -> Result<u32, ScenarioError> {
        let col = self.column(path, name)?;
        let value = &self.rows[row][col];
        value.trim().parse().map_err(|_| ScenarioError::Csv {
            path: path.to_path_buf(),
            line: row + 2,
            message: format!("`{name}` is not a whole number: `{value}`"),
        })
    }
}

fn read_csv(path: &Path) -> Result<Table, ScenarioError> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| ScenarioError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let csv_error = |e: csv::Error| ScenarioError::Csv {
        path: path.to_path_buf(),
        line: e.position().map_or(0, |p| p.line() as usize),
        message: e.to_string(),
    };
    let header = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let mut row: Vec<String> = record.iter().map(str::to_owned).collect();
        row.resize(header.len(), String::new());
        rows.push(row);
    }
    Ok(Table { header, rows })
}

/// Words of an organisation name that tell boards apart.
fn name_words(name: &str) -> BTreeSet<String> {
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| {
            !w.is_empty() && !["nhs", "integrated", "care", "board", "and", "the", "of"].contains(w)
        })
        .map(str::to_owned)
        .collect()
}

/// The board in the CDC file whose name has the same distinctive words as `parent`; failing
/// that, the one whose words all appear in `parent`'s, or contain all of them.
fn match_icb(cdcs: &Table, path: &Path, parent: &str) -> Result<String, ScenarioError> {
    let code = cdcs.column(path, "icb_code")?;
    let name = cdcs.column(path, "icb_name")?;
    let wanted = name_words(parent);
    let mut boards: Vec<(String, String)> = cdcs
        .rows
        .iter()
        .map(|r| (r[code].clone(), r[name].clone()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let exact: Vec<_> = boards
        .iter()
        .filter(|(_, n)| !wanted.is_empty() && name_words(n) == wanted)
        .cloned()
        .collect();
    if exact.len() == 1 {
        boards = exact;
    } else {
        boards.retain(|(_, n)| {
            let words = name_words(n);
            !wanted.is_empty() && (words.is_subset(&wanted) || wanted.is_subset(&words))
        });
    }
    match boards.as_slice() {
        [(code, _)] => Ok(code.clone()),
        [] => Err(ScenarioError::Icb {
            message: format!("no integrated care board in {} matches the provider's parent `{parent}`: pass --icb with a board code from that file (column icb_code)", path.display()),
        }),
        many => Err(ScenarioError::Icb {
            message: format!(
                "the provider's parent `{parent}` matches several boards: pass --icb with one of {}",
                many.iter().map(|(c, n)| format!("{c} ({n})")).collect::<Vec<_>>().join(", ")
            ),
        }),
    }
}
