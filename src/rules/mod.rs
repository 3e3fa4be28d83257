//! The rules layer: waiting-time standards, breach dates, clinical targets, NHS dates and week
//! bands. Each rule cites its source; `shared/docs/nhs-rules.md` summarises them.

mod calendar;
mod snapshots;
mod standards;

pub use calendar::{add_days, days_waited, nhs_date, sub_days, WeekBand};
pub use snapshots::snapshot_dates;
pub use standards::{
    breach_date, cancer_limits, clinical_deadline, clinical_target_date, declined_offer_deadline,
    due_date, needs_clinical_review, running_clock_start, standard_limit_days,
    surgical_target_days, ClinicalClass, ClinicalDeadline, NEXT_OFFER_WITHIN_DAYS,
    REBOOK_AFTER_CANCELLATION_DAYS,
};
