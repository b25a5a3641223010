//! What a long step usually takes, said before it starts, so that a first
//! run is never minutes of silence. Measured on this project's 2-core
//! machines; the README's "The first run" says where each figure comes from.

use std::fmt::Display;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    AptPackages,
    NpmTools,
    Trunk,
    WasmBindgenCli,
    CargoDeb,
    CargoDeny,
    /// Release builds of the widget and the server from an empty target/.
    FirstBuilds,
    /// The same when only Wendan's own crates changed.
    Rebuilds,
}

impl Step {
    pub fn usually(self) -> &'static str {
        match self {
            Step::AptPackages => "1–3 min, most of it downloading",
            Step::NpmTools => "5 s to a minute",
            Step::Trunk => "12–13 min",
            Step::WasmBindgenCli => "4 min (11 on a busy machine)",
            Step::CargoDeb => "2 min",
            Step::CargoDeny => "2½ min",
            Step::FirstBuilds => "7–8 min",
            Step::Rebuilds => "1½–5 min",
        }
    }
}

/// `→ compiling Trunk 0.21.14 (cargo install): usually 12–13 min on 2 cores`
pub fn announce(what: impl Display, step: Step) {
    println!("→ {what}: usually {} on 2 cores", step.usually());
}
