//! Lineage (issue 11): which package was made from which. A recall walks from any package down
//! to every package made from it, however many batches away, and back up to every source; the
//! walk is over the edges the workbench recorded (its batches) and Metrc's (a package's source
//! packages), and stops at a cycle rather than looping.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// A parent → child edge: `child` was made (in part) from `parent`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub parent: String,
    pub child: String,
}

/// One package reached by a walk, and how far from the start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    pub label: String,
    pub depth: usize,
}

fn walk(start: &str, next: &BTreeMap<&str, Vec<&str>>) -> Vec<Reached> {
    let mut seen = BTreeSet::from([start]);
    let mut out = vec![];
    let mut queue = VecDeque::from([(start, 0usize)]);
    while let Some((at, depth)) = queue.pop_front() {
        for n in next.get(at).into_iter().flatten() {
            if seen.insert(n) {
                out.push(Reached {
                    label: n.to_string(),
                    depth: depth + 1,
                });
                queue.push_back((n, depth + 1));
            }
        }
    }
    out
}

/// Every package made, directly or not, from `start`, nearest first.
pub fn descendants(edges: &[Edge], start: &str) -> Vec<Reached> {
    let mut down: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in edges {
        down.entry(e.parent.as_str()).or_default().push(&e.child);
    }
    walk(start, &down)
}

/// Every package `start` was made from, directly or not, nearest first.
pub fn ancestors(edges: &[Edge], start: &str) -> Vec<Reached> {
    let mut up: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in edges {
        up.entry(e.child.as_str()).or_default().push(&e.parent);
    }
    walk(start, &up)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(p: &str, c: &str) -> Edge {
        Edge {
            parent: p.into(),
            child: c.into(),
        }
    }

    /// Issue 11: the recall query finds every descendant, across batches, and every source.
    #[test]
    fn a_recall_reaches_every_descendant_and_source() {
        // Flower and distillate into an infusion; its output into two packaging runs.
        let edges = [
            e("FLOWER", "DISTILLATE"),
            e("DISTILLATE", "INFUSED"),
            e("SUGAR", "INFUSED"),
            e("INFUSED", "BOX-A"),
            e("INFUSED", "BOX-B"),
            e("BOX-B", "SAMPLE-B"),
        ];
        let down: Vec<(String, usize)> = descendants(&edges, "FLOWER")
            .into_iter()
            .map(|r| (r.label, r.depth))
            .collect();
        assert_eq!(
            down,
            vec![
                ("DISTILLATE".into(), 1),
                ("INFUSED".into(), 2),
                ("BOX-A".into(), 3),
                ("BOX-B".into(), 3),
                ("SAMPLE-B".into(), 4)
            ]
        );
        let up: BTreeSet<String> = ancestors(&edges, "SAMPLE-B")
            .into_iter()
            .map(|r| r.label)
            .collect();
        assert_eq!(
            up,
            ["BOX-B", "DISTILLATE", "FLOWER", "INFUSED", "SUGAR"]
                .into_iter()
                .map(String::from)
                .collect()
        );
    }

    #[test]
    fn a_cycle_ends_the_walk() {
        let edges = [e("A", "B"), e("B", "A")];
        assert_eq!(descendants(&edges, "A").len(), 1);
    }
}
