//! The batch's flow drawn to scale: inputs on the left flow into the batch, which flows out to
//! its outputs, its waste, its process loss and whatever is unaccounted for — each band as wide
//! as its grams. Hand-written SVG (a few paths need no chart library); its colours come from
//! the stylesheet's classes, so the page's style policy allows it.
//!
//! The drawing says what it shows in its `<title>` and `<desc>`, and the same numbers are in
//! the balance panel and the line tables beside it, for anyone who does not see it.

use super::grams;
use maud::{Markup, html};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use tagtrail_workbench::batches::Batch;
use tagtrail_workbench::model::batch::Balance;

/// The drawing's width in its own units; it scales to its box.
const WIDTH: f64 = 640.0;
/// The batch's own bar at most this tall: the largest side's grams.
const SCALE_TO: f64 = 220.0;
/// Each node's slot at least this tall, so two lines of label fit beside a thin band.
const SLOT: f64 = 38.0;
const GAP: f64 = 8.0;
/// Room above the nodes for the batch's name.
const TOP: f64 = 36.0;
const LEFT_NODE: f64 = 190.0;
const RIGHT_NODE: f64 = 440.0;
const NODE_W: f64 = 10.0;
/// The batch's bar, centred: (640 - 44) / 2.
const MID_X: f64 = 298.0;
const MID_W: f64 = 44.0;
/// The longest label drawn in full (it must fit a phone's screen); the tables beside it have
/// them whole.
const LABEL_MAX: usize = 12;
/// The batch's name, above its bar, has more room.
const NAME_MAX: usize = 30;

/// One end of a band: its name, its grams, and its colour class.
struct Node {
    name: String,
    grams: Decimal,
    class: &'static str,
}

fn short(s: &str) -> String {
    if s.chars().count() <= LABEL_MAX {
        return s.to_string();
    }
    // Tags differ at their end: keep that.
    let tail: String = s
        .chars()
        .rev()
        .take(LABEL_MAX - 1)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}

/// A name cut at its end when too long.
fn head(s: &str) -> String {
    if s.chars().count() <= NAME_MAX {
        return s.to_string();
    }
    let cut: String = s.chars().take(NAME_MAX - 1).collect();
    format!("{}…", cut.trim_end())
}

/// The nodes on each side, leaving out what weighs nothing.
fn sides(b: &Batch, bal: &Balance) -> (Vec<Node>, Vec<Node>) {
    let weigh = |a: &tagtrail_workbench::model::batch::Amount| a.grams().unwrap_or_default();
    let mut left: Vec<Node> = b
        .inputs
        .iter()
        .map(|r| Node {
            name: r.line.package.clone(),
            grams: weigh(&r.line.amount),
            class: "in",
        })
        .collect();
    let mut right: Vec<Node> = b
        .outputs
        .iter()
        .map(|r| Node {
            name: r.line.tag.clone(),
            grams: weigh(&r.line.amount),
            class: "out",
        })
        .collect();
    right.push(Node {
        name: "Waste".into(),
        grams: bal.waste,
        class: "waste",
    });
    right.push(Node {
        name: "Process loss".into(),
        grams: bal.process_loss,
        class: "loss",
    });
    if bal.difference > Decimal::ZERO {
        right.push(Node {
            name: "Unaccounted".into(),
            grams: bal.difference,
            class: "gap",
        });
    } else if bal.difference < Decimal::ZERO {
        // More came out than went in: drawn as a source so both sides weigh the same.
        left.push(Node {
            name: "More than in".into(),
            grams: -bal.difference,
            class: "gap",
        });
    }
    left.retain(|n| n.grams > Decimal::ZERO);
    right.retain(|n| n.grams > Decimal::ZERO);
    (left, right)
}

/// Where each node of a side lies: its slot's top and the band's thickness.
fn place(nodes: &[Node], k: f64) -> (Vec<(f64, f64)>, f64) {
    let mut y = TOP;
    let mut out = vec![];
    for n in nodes {
        let h = (n.grams.to_f64().unwrap_or(0.0) * k).max(1.0);
        let slot = h.max(SLOT);
        out.push((y + (slot - h) / 2.0, h));
        y += slot + GAP;
    }
    (out, y - GAP - TOP)
}

/// A band from (x0, y0..y0+h0) to (x1, y1..y1+h1), curved.
fn band(x0: f64, y0: f64, h0: f64, x1: f64, y1: f64, h1: f64) -> String {
    let m = (x0 + x1) / 2.0;
    format!(
        "M{x0:.1} {y0:.1}C{m:.1} {y0:.1} {m:.1} {y1:.1} {x1:.1} {y1:.1}L{x1:.1} {b1:.1}C{m:.1} {b1:.1} {m:.1} {b0:.1} {x0:.1} {b0:.1}Z",
        b0 = y0 + h0,
        b1 = y1 + h1
    )
}

/// The flow's summary in words: the drawing's description.
pub(super) fn words(b: &Batch, bal: &Balance) -> String {
    let n_in = b.inputs.len();
    let n_out = b.outputs.len();
    let mut s = format!(
        "{} g in from {} package{}; {} g out in {} new package{}, {} g waste, {} g process loss",
        grams(bal.inputs),
        n_in,
        if n_in == 1 { "" } else { "s" },
        grams(bal.outputs),
        n_out,
        if n_out == 1 { "" } else { "s" },
        grams(bal.waste),
        grams(bal.process_loss)
    );
    if bal.difference > Decimal::ZERO {
        s.push_str(&format!("; {} g unaccounted for", grams(bal.difference)));
    } else if bal.difference < Decimal::ZERO {
        s.push_str(&format!(
            "; {} g more came out than went in",
            grams(-bal.difference)
        ));
    }
    s.push('.');
    s
}

/// The drawing, or nothing when nothing weighs anything.
pub(super) fn drawing(b: &Batch, bal: &Balance) -> Option<Markup> {
    let (left, right) = sides(b, bal);
    if left.is_empty() || right.is_empty() {
        return None;
    }
    let total = |v: &[Node]| v.iter().map(|n| n.grams).sum::<Decimal>();
    let most = total(&left).max(total(&right)).to_f64()?;
    if most <= 0.0 {
        return None;
    }
    let k = SCALE_TO / most;
    let (lp, lspan) = place(&left, k);
    let (rp, rspan) = place(&right, k);
    let mid_h = (most * k).max(1.0);
    let span = lspan.max(rspan).max(mid_h);
    let mid_y = TOP + (span - mid_h) / 2.0;
    let height = TOP + span + 8.0;
    let title = format!("How the weight of batch {} flows", b.name);
    let desc = words(b, bal);
    let label = |x: f64, y: f64, h: f64, anchor: &str, n: &Node| {
        let mid = y + h / 2.0;
        html! {
            text.name x=(format!("{x:.1}")) y=(format!("{:.1}", mid - 3.0)) text-anchor=(anchor) { (short(&n.name)) }
            text.g x=(format!("{x:.1}")) y=(format!("{:.1}", mid + 14.0)) text-anchor=(anchor) { (grams(n.grams)) " g" }
        }
    };
    // Bands stack on the batch's bar in the order of their nodes: where each meets it.
    let stacked = |placed: &[(f64, f64)]| {
        let mut at = mid_y;
        placed
            .iter()
            .map(|(y, h)| {
                let here = at;
                at += h;
                (*y, *h, here)
            })
            .collect::<Vec<_>>()
    };
    let (lp, rp) = (stacked(&lp), stacked(&rp));
    Some(html! {
        svg.flow viewBox=(format!("0 0 {WIDTH} {height:.0}")) role="img" aria-labelledby="flow-title flow-desc" {
            title #flow-title { (title) }
            desc #flow-desc { (desc) }
            @for (n, (y, h, at)) in left.iter().zip(&lp) {
                path class={ "band " (n.class) } d=(band(LEFT_NODE + NODE_W, *y, *h, MID_X, *at, *h)) {}
                rect class={ "node " (n.class) } x=(LEFT_NODE) y=(format!("{y:.1}")) width=(NODE_W) height=(format!("{h:.1}")) {}
                (label(LEFT_NODE - 6.0, *y, *h, "end", n))
            }
            rect.node.batch x=(MID_X) y=(format!("{mid_y:.1}")) width=(MID_W) height=(format!("{mid_h:.1}")) {}
            text.name x=(MID_X + MID_W / 2.0) y=(format!("{:.1}", mid_y - 12.0)) text-anchor="middle" { (head(&b.name)) }
            @for (n, (y, h, at)) in right.iter().zip(&rp) {
                path class={ "band " (n.class) } d=(band(MID_X + MID_W, *at, *h, RIGHT_NODE, *y, *h)) {}
                rect class={ "node " (n.class) } x=(RIGHT_NODE) y=(format!("{y:.1}")) width=(NODE_W) height=(format!("{h:.1}")) {}
                (label(RIGHT_NODE + NODE_W + 6.0, *y, *h, "start", n))
            }
        }
    })
}
