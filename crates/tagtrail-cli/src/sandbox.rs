//! `--sandbox` and its fault rates on `tagtrail serve` and `tagtrail demo`: a ledger for testing
//! integrations, which injects the faults real Metrc shows (see `tagtrail_ledger::sandbox`).

use anyhow::{Result, anyhow};
use clap::Args;
use tagtrail_ledger::{Faults, Sandbox};

#[derive(Args, Clone, Debug, Default)]
pub struct SandboxArgs {
    /// Sandbox mode, for testing integrations (never for a real ledger): serve
    /// /tagtrail/v1/sandbox/faults and /tagtrail/v1/sandbox/clock, which set fault injection on
    /// the Metrc API and the ledger's clock at run time. Any --sandbox-* setting below implies it.
    // No environment variable: a sandbox is asked for on the command line, where it is seen,
    // never inherited by a production server from a stray variable.
    #[arg(long)]
    pub sandbox: bool,
    /// Probability (0 to 1) of answering a Metrc API request 429 with Retry-After: 1, unhandled.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub sandbox_rate_429: f64,
    /// Probability (0 to 1) of answering a Metrc API request 500, unhandled.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub sandbox_rate_500: f64,
    /// Milliseconds added to every Metrc API request.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub sandbox_latency_ms: u64,
    /// Up to this many more milliseconds, at random, on every Metrc API request.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub sandbox_latency_jitter_ms: u64,
    /// Probability (0 to 1) of dropping the connection of a Metrc API request, unhandled.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub sandbox_rate_drop: f64,
    /// Probability (0 to 1) that a Metrc API write (not GET) is done and committed, and then
    /// its connection dropped instead of answered.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub sandbox_rate_commit_then_drop: f64,
    /// Seed of the fault dice: the same seed and the same requests in the same order meet the
    /// same faults.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub sandbox_seed: u64,
}

impl SandboxArgs {
    fn faults(&self) -> Faults {
        Faults {
            rate_429: self.sandbox_rate_429,
            rate_500: self.sandbox_rate_500,
            latency_ms: self.sandbox_latency_ms,
            latency_jitter_ms: self.sandbox_latency_jitter_ms,
            rate_drop: self.sandbox_rate_drop,
            rate_commit_then_drop: self.sandbox_rate_commit_then_drop,
            seed: self.sandbox_seed,
        }
    }

    /// The sandbox to serve with: none unless --sandbox or some fault is set (a seed alone
    /// turns it on too, since asking for one means sandbox mode was meant). Says so on standard
    /// error, so a sandbox is never mistaken for a real ledger.
    pub fn sandbox(&self) -> Result<Option<Sandbox>> {
        let faults = self.faults();
        if !(self.sandbox || faults.any() || self.sandbox_seed != 0) {
            return Ok(None);
        }
        let sandbox = Sandbox::new(faults.clone()).map_err(|e| anyhow!("--sandbox-*: {e}"))?;
        eprintln!(
            "SANDBOX MODE: faults are injected into the Metrc API and the clock can be set; \
             not for real records. Faults: {faults:?}"
        );
        Ok(Some(sandbox))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sandbox: SandboxArgs,
    }

    fn parse(args: &[&str]) -> Result<Option<Sandbox>> {
        let cli = Cli::try_parse_from(std::iter::once("tagtrail").chain(args.iter().copied()))?;
        cli.sandbox.sandbox()
    }

    #[test]
    fn sandbox_mode_is_off_unless_asked_for() {
        assert!(parse(&[]).expect("parses").is_none());
        let on = parse(&["--sandbox"]).expect("parses").expect("on");
        assert_eq!(on.faults(), Faults::default());
        let implied = parse(&["--sandbox-rate-429", "0.25", "--sandbox-seed", "7"])
            .expect("parses")
            .expect("a rate implies sandbox mode");
        assert_eq!(implied.faults().rate_429, 0.25);
        assert_eq!(implied.faults().seed, 7);
        assert!(
            parse(&["--sandbox-rate-drop", "2"]).is_err(),
            "not a probability"
        );
    }
}
