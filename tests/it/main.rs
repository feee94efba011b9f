//! Integration tests: the real `opsbook` binary run on the example handbook and on small
//! fixture handbooks, checked through its exit status, its messages and the HTML it writes.

mod support;

mod browser;
mod browser_search;
mod build_example;
mod check;
mod cli;
mod distribution;
mod escaping;
mod fixtures_valid;
mod hostile;
mod invalid;
mod learning;
mod migrate;
mod ops;
mod output_safety;
mod real_handbooks;
mod reuse;
mod runbook_params;
mod scaffold;
mod search;
mod search_parity;
mod serve;
mod slo;
mod subscriptions;
