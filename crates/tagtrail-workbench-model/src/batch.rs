//! Production batches (issue 11, seed 003 §02): what a manufacturing batch draws, makes and
//! wastes, its mass balance, and the order its status moves in.
//!
//! **Mass balance.** Every line is brought to grams, exactly: weights convert by the domain's
//! units; a line counted (`Each`) or measured by volume needs the weight of one of its units
//! (a gummy's net weight, an oil's grams per millilitre), or the balance cannot be computed and
//! says which line lacks it. Then inputs = outputs + waste + declared process loss, and the
//! difference must be within the batch's tolerance (a share of the inputs; each batch type has a
//! default). A batch outside it completes only with an explanation a second person reviewed.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tagtrail_domain::quantity::{QuantityType, UnitOfMeasure, convert, unit};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BatchType {
    Extraction,
    Infusion,
    Blending,
    Packaging,
    Labeling,
    Rework,
}

impl BatchType {
    pub const ALL: &'static [BatchType] = &[
        BatchType::Extraction,
        BatchType::Infusion,
        BatchType::Blending,
        BatchType::Packaging,
        BatchType::Labeling,
        BatchType::Rework,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BatchType::Extraction => "extraction",
            BatchType::Infusion => "infusion",
            BatchType::Blending => "blending",
            BatchType::Packaging => "packaging",
            BatchType::Labeling => "labeling",
            BatchType::Rework => "rework",
        }
    }

    pub fn parse(s: &str) -> Option<BatchType> {
        Self::ALL.iter().copied().find(|t| t.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            BatchType::Extraction => "Extraction",
            BatchType::Infusion => "Infusion",
            BatchType::Blending => "Blending",
            BatchType::Packaging => "Packaging",
            BatchType::Labeling => "Labeling",
            BatchType::Rework => "Rework",
        }
    }

    /// The default tolerance, in percent of the inputs' weight: extraction loses solvent and
    /// residue that are hard to weigh; packaging and labeling move finished goods and should
    /// balance almost exactly.
    pub fn default_tolerance_percent(self) -> Decimal {
        match self {
            BatchType::Extraction => Decimal::new(50, 1),
            BatchType::Infusion => Decimal::new(20, 1),
            BatchType::Blending => Decimal::new(10, 1),
            BatchType::Packaging | BatchType::Labeling => Decimal::new(5, 1),
            BatchType::Rework => Decimal::new(20, 1),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Status {
    Planned,
    InProgress,
    Completed,
    /// Its submissions are in the outbox.
    Submitted,
    /// Metrc accepted every one of its submissions.
    Accepted,
}

impl Status {
    pub const ALL: &'static [Status] = &[
        Status::Planned,
        Status::InProgress,
        Status::Completed,
        Status::Submitted,
        Status::Accepted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::InProgress => "in_progress",
            Status::Completed => "completed",
            Status::Submitted => "submitted",
            Status::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Self::ALL.iter().copied().find(|x| x.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Planned => "Planned",
            Status::InProgress => "In progress",
            Status::Completed => "Completed",
            Status::Submitted => "Submitted",
            Status::Accepted => "Accepted by Metrc",
        }
    }

    /// Whether inputs, steps, outputs and waste may still change.
    pub fn open(self) -> bool {
        matches!(self, Status::Planned | Status::InProgress)
    }
}

/// A quantity of one line, in its own unit, with the weight of one of that unit when the unit
/// is not a weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    pub quantity: Decimal,
    pub unit: String,
    /// Grams per one of `unit`, for a count or volume unit.
    pub grams_each: Option<Decimal>,
}

impl Amount {
    pub fn new(quantity: Decimal, unit: &str) -> Amount {
        Amount {
            quantity,
            unit: unit.to_string(),
            grams_each: None,
        }
    }

    /// The amount in grams, or why not.
    pub fn grams(&self) -> Result<Decimal, String> {
        let u =
            unit(&self.unit).ok_or_else(|| format!("{} is not a unit of measure", self.unit))?;
        let grams: &UnitOfMeasure = unit("Grams").ok_or("the unit Grams is missing")?;
        match u.quantity_type {
            QuantityType::WeightBased => {
                convert(self.quantity, u, grams).map_err(|e| e.to_string())
            }
            QuantityType::CountBased | QuantityType::VolumeBased => match self.grams_each {
                Some(each) if each > Decimal::ZERO => self
                    .quantity
                    .checked_mul(each)
                    .ok_or_else(|| "the quantity is too large".to_string()),
                _ => Err(format!(
                    "{} {} needs the weight of one {} in grams to be weighed",
                    self.quantity.normalize(),
                    u.name,
                    u.name.trim_end_matches('s').to_lowercase()
                )),
            },
        }
    }
}

/// An input: a package and what the batch draws from it — or an ingredient that is no Metrc
/// package (sugar, gummy base, terpenes), weighed for the balance and never sent to Metrc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// The package's tag, or the untracked ingredient's name.
    pub package: String,
    pub amount: Amount,
    #[serde(default)]
    pub untracked: bool,
}

/// An output: a new package (its tag, item and location) and what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    pub tag: String,
    pub item: String,
    pub amount: Amount,
    /// Where the new package is put (Metrc needs one where the facility has locations).
    #[serde(default)]
    pub location: Option<String>,
}

/// A waste event: weighed, with how it was made unusable, why, and who saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waste {
    pub method: String,
    pub amount: Amount,
    pub reason: String,
    pub witness: String,
}

/// The balance of a batch, in grams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub inputs: Decimal,
    pub outputs: Decimal,
    pub waste: Decimal,
    pub process_loss: Decimal,
    /// inputs − (outputs + waste + process loss): positive when material is unaccounted for,
    /// negative when more came out than went in.
    pub difference: Decimal,
    pub tolerance_percent: Decimal,
    /// The largest difference the tolerance allows, in grams.
    pub allowed: Decimal,
    /// Outputs as a share of inputs, in percent (two decimals).
    pub yield_percent: Decimal,
}

impl Balance {
    pub fn within(&self) -> bool {
        self.difference.abs() <= self.allowed
    }
}

/// A line that cannot be weighed, by where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unweighable {
    /// "input 2", "output 1", "waste 1", "process loss".
    pub line: String,
    pub why: String,
}

/// The mass balance of a batch's lines, or every line that cannot be weighed.
pub fn balance(
    inputs: &[Input],
    outputs: &[Output],
    waste: &[Waste],
    process_loss: Option<&Amount>,
    tolerance_percent: Decimal,
) -> Result<Balance, Vec<Unweighable>> {
    let mut bad = vec![];
    let mut sum = |what: &str, amounts: Vec<&Amount>| -> Decimal {
        let mut total = Decimal::ZERO;
        for (i, a) in amounts.into_iter().enumerate() {
            match a.grams() {
                Ok(g) if g < Decimal::ZERO => bad.push(Unweighable {
                    line: format!("{what} {}", i + 1),
                    why: "a quantity cannot be below zero".into(),
                }),
                Ok(g) => total += g,
                Err(why) => bad.push(Unweighable {
                    line: format!("{what} {}", i + 1),
                    why,
                }),
            }
        }
        total
    };
    let inputs_g = sum("input", inputs.iter().map(|i| &i.amount).collect());
    let outputs_g = sum("output", outputs.iter().map(|o| &o.amount).collect());
    let waste_g = sum("waste", waste.iter().map(|w| &w.amount).collect());
    let loss_g = sum("process loss", process_loss.into_iter().collect());
    if !bad.is_empty() {
        return Err(bad);
    }
    let hundred = Decimal::ONE_HUNDRED;
    let allowed = (inputs_g * tolerance_percent / hundred).round_dp(6);
    let yield_percent = if inputs_g.is_zero() {
        Decimal::ZERO
    } else {
        (outputs_g * hundred / inputs_g).round_dp(2)
    };
    Ok(Balance {
        inputs: inputs_g.normalize(),
        outputs: outputs_g.normalize(),
        waste: waste_g.normalize(),
        process_loss: loss_g.normalize(),
        difference: (inputs_g - outputs_g - waste_g - loss_g).normalize(),
        tolerance_percent,
        allowed: allowed.normalize(),
        yield_percent,
    })
}

/// A step someone asks of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Start,
    Complete,
    /// Its submissions were written to the outbox.
    Submit,
    /// Every submission was accepted by Metrc (automation, from the outbox's answers).
    Accept,
    /// Back to work after Metrc refused its submissions (or they were withdrawn): nothing of it
    /// was applied.
    Reopen,
}

/// What completing needs to know.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The balance, or the lines that cannot be weighed.
    pub balance: Option<Result<Balance, Vec<Unweighable>>>,
    pub inputs: usize,
    pub outputs: usize,
    /// An explanation of the imbalance, reviewed by someone other than its author.
    pub reviewed_explanation: bool,
    /// Submissions of the batch still in the outbox or accepted (reopening needs none).
    pub live_submissions: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("a batch that is {} cannot be {}", .0.label().to_lowercase(), step_words(*.1))]
    NotFrom(Status, Step),
    #[error("a batch needs at least one input and one output")]
    Empty,
    #[error("the batch's submissions are still in the outbox or were accepted; it cannot reopen")]
    Live,
    #[error("the balance cannot be computed: {0}")]
    Unweighable(String),
    #[error(
        "the batch is out of balance: {} (at most {allowed} g either way is allowed); it completes only with an explanation another person has reviewed",
        imbalance_words(*.difference)
    )]
    OutOfBalance {
        difference: Decimal,
        allowed: Decimal,
    },
}

/// A difference in words: material unaccounted for, or more out than in.
fn imbalance_words(difference: Decimal) -> String {
    if difference.is_sign_negative() {
        format!(
            "{} g more came out than went in",
            difference.abs().normalize()
        )
    } else {
        format!(
            "{} g went in that is not accounted for",
            difference.normalize()
        )
    }
}

fn step_words(s: Step) -> &'static str {
    match s {
        Step::Start => "started",
        Step::Complete => "completed",
        Step::Submit => "submitted",
        Step::Accept => "accepted",
        Step::Reopen => "reopened",
    }
}

/// The status after `step`, or why not.
pub fn decide(from: Status, step: Step, facts: &Facts) -> Result<Status, Refusal> {
    let to = match (from, step) {
        (Status::Planned, Step::Start) => Status::InProgress,
        (Status::InProgress, Step::Complete) => Status::Completed,
        (Status::Completed, Step::Submit) => Status::Submitted,
        (Status::Submitted, Step::Accept) => Status::Accepted,
        (Status::Submitted, Step::Reopen) => Status::InProgress,
        _ => return Err(Refusal::NotFrom(from, step)),
    };
    if step == Step::Reopen && facts.live_submissions > 0 {
        return Err(Refusal::Live);
    }
    if step == Step::Complete {
        if facts.inputs == 0 || facts.outputs == 0 {
            return Err(Refusal::Empty);
        }
        match &facts.balance {
            None => return Err(Refusal::Unweighable("nothing weighed yet".into())),
            Some(Err(bad)) => {
                return Err(Refusal::Unweighable(
                    bad.iter()
                        .map(|b| format!("{}: {}", b.line, b.why))
                        .collect::<Vec<_>>()
                        .join("; "),
                ));
            }
            Some(Ok(b)) if !b.within() && !facts.reviewed_explanation => {
                return Err(Refusal::OutOfBalance {
                    difference: b.difference,
                    allowed: b.allowed,
                });
            }
            Some(Ok(_)) => {}
        }
    }
    Ok(to)
}

/// How much of one input each output draws, in the input's unit: in proportion to the outputs'
/// weights, rounded to `dp` places, the last taking the remainder so the draws add up to the
/// input exactly. Outputs that weigh nothing share it equally.
pub fn split_draw(input: Decimal, output_grams: &[Decimal], dp: u32) -> Vec<Decimal> {
    let n = output_grams.len();
    if n == 0 {
        return vec![];
    }
    let total: Decimal = output_grams.iter().copied().sum();
    let mut out = Vec::with_capacity(n);
    let mut given = Decimal::ZERO;
    for (i, g) in output_grams.iter().enumerate() {
        let share = if i + 1 == n {
            input - given
        } else if total.is_zero() {
            (input / Decimal::from(n as u64)).round_dp(dp)
        } else {
            (input * g / total).round_dp(dp)
        };
        given += share;
        out.push(share.normalize());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn input(q: &str, u: &str) -> Input {
        Input {
            package: "IN".into(),
            amount: Amount::new(d(q), u),
            untracked: false,
        }
    }

    fn output(q: &str, u: &str, each: Option<&str>) -> Output {
        Output {
            tag: "OUT".into(),
            item: "Gummies".into(),
            amount: Amount {
                quantity: d(q),
                unit: u.into(),
                grams_each: each.map(d),
            },
            location: None,
        }
    }

    fn waste(q: &str, u: &str) -> Waste {
        Waste {
            method: "Mixed with soil".into(),
            amount: Amount::new(d(q), u),
            reason: "trim".into(),
            witness: "June Park".into(),
        }
    }

    /// Two inputs in different units, counted outputs with their unit weight, and waste: exact.
    #[test]
    fn units_convert_exactly() {
        let b = balance(
            &[input("1", "Kilograms"), input("500", "Grams")],
            &[
                output("1000", "Each", Some("1.2")),
                output("0.25", "Kilograms", None),
            ],
            &[waste("40", "Grams")],
            Some(&Amount::new(d("10"), "Grams")),
            d("1"),
        )
        .unwrap();
        assert_eq!(b.inputs, d("1500"));
        assert_eq!(b.outputs, d("1450"));
        assert_eq!(b.difference, d("0"));
        assert!(b.within());
        assert_eq!(b.yield_percent, d("96.67"));
    }

    #[test]
    fn a_counted_line_without_its_weight_is_named() {
        let r = balance(
            &[input("100", "Grams")],
            &[output("10", "Each", None)],
            &[],
            None,
            d("1"),
        );
        let bad = r.unwrap_err();
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].line, "output 1");
        assert!(bad[0].why.contains("weight of one each"), "{}", bad[0].why);
    }

    /// Issue 11: a batch outside its tolerance cannot complete without a reviewed explanation.
    #[test]
    fn out_of_balance_needs_a_reviewed_explanation() {
        let b = balance(
            &[input("1000", "Grams")],
            &[output("900", "Grams", None)],
            &[waste("50", "Grams")],
            None,
            d("2"),
        )
        .unwrap();
        assert_eq!((b.difference, b.allowed), (d("50"), d("20")));
        let mut facts = Facts {
            balance: Some(Ok(b)),
            inputs: 1,
            outputs: 1,
            reviewed_explanation: false,
            live_submissions: 0,
        };
        assert!(matches!(
            decide(Status::InProgress, Step::Complete, &facts),
            Err(Refusal::OutOfBalance { .. })
        ));
        facts.reviewed_explanation = true;
        assert_eq!(
            decide(Status::InProgress, Step::Complete, &facts),
            Ok(Status::Completed)
        );
    }

    #[test]
    fn steps_go_in_order() {
        let f = Facts::default();
        assert_eq!(
            decide(Status::Planned, Step::Start, &f),
            Ok(Status::InProgress)
        );
        assert!(decide(Status::Planned, Step::Complete, &f).is_err());
        assert!(decide(Status::Accepted, Step::Start, &f).is_err());
        assert_eq!(
            decide(Status::InProgress, Step::Complete, &f),
            Err(Refusal::Empty)
        );
        assert_eq!(
            decide(Status::Submitted, Step::Reopen, &f),
            Ok(Status::InProgress)
        );
        let live = Facts {
            live_submissions: 1,
            ..Facts::default()
        };
        assert_eq!(
            decide(Status::Submitted, Step::Reopen, &live),
            Err(Refusal::Live)
        );
    }

    /// The draws of each input split across the outputs by weight add up to the input exactly.
    #[test]
    fn draws_split_by_weight_and_add_up() {
        let outs = [d("2"), d("1")];
        let split = split_draw(d("10"), &outs, 4);
        assert_eq!(split, vec![d("6.6667"), d("3.3333")]);
        assert_eq!(split.iter().copied().sum::<Decimal>(), d("10"));
        assert_eq!(
            split_draw(d("5"), &[d("0"), d("0")], 4),
            vec![d("2.5"), d("2.5")]
        );
    }

    proptest! {
        /// Whatever the lines, the balance adds up: inputs = outputs + waste + loss + difference,
        /// exactly, and `within` is |difference| ≤ allowed.
        #[test]
        fn the_balance_adds_up(
            ins in proptest::collection::vec(0u32..1_000_000, 1..5),
            outs in proptest::collection::vec(0u32..1_000_000, 1..5),
            w in 0u32..100_000,
            tol in 0u32..1000,
        ) {
            let inputs: Vec<Input> = ins.iter().map(|m| input(&format!("{m}"), "Milligrams")).collect();
            let outputs: Vec<Output> = outs.iter().map(|g| output(&format!("{g}"), "Grams", None)).collect();
            let b = balance(&inputs, &outputs, &[waste(&format!("{w}"), "Grams")], None, Decimal::new(tol.into(), 1)).unwrap();
            prop_assert_eq!(b.inputs, b.outputs + b.waste + b.process_loss + b.difference);
            prop_assert_eq!(b.within(), b.difference.abs() <= b.allowed);
        }
    }
}
