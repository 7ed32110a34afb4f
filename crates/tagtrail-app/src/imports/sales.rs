//! A Sales receipts file's run: receipts (each the rows of one receipt number) go through
//! [`RecordReceipts`] in groups of the API's object limit, so a group is exactly a
//! `POST /sales/v2/receipts` of those receipts and a receipt is never split across groups: its
//! lines take from the packages together, as one element of the API's body does.
//!
//! It differs from [`Run::rows`] only in where a problem points: the decision names the
//! receipt (the body element) and, for a sale line's problem, the line within it, which is
//! mapped back to that line's row of the file.

use super::{Run, set_progress};
use crate::action::Action;
use crate::actions::sales::RecordReceipts;
use crate::door::Door;
use crate::{AppResult, Definition};
use serde_json::json;
use std::collections::BTreeSet;
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::imports::{ImportedReceipt, LineError};
use tagtrail_domain::commands::sales::receipts::ReceiptSpec;
use tagtrail_domain::journal::Draft;
use tagtrail_store::WriteTx;

impl Run<'_> {
    /// Runs the receipts through [`RecordReceipts`], ten receipts a group, one journal entry a
    /// group. False when a refusal of the whole request (permission, capability) ended the run.
    pub(super) async fn receipts(
        &mut self,
        tx: &mut WriteTx,
        receipts: &[(usize, ImportedReceipt)],
    ) -> AppResult<bool> {
        let def: &Definition = &RecordReceipts::DEF;
        self.scope.allows(def)?;
        for chunk in receipts.chunks(self.group) {
            let mut bad: BTreeSet<usize> = BTreeSet::new();
            // A refused receipt is left out and the rest of its group tried again, so that the
            // good receipts' sales are there for the groups after (as they would be once fixed).
            loop {
                let index: Vec<usize> = (0..chunk.len()).filter(|i| !bad.contains(i)).collect();
                if index.is_empty() {
                    break;
                }
                let req: Vec<ReceiptSpec> =
                    index.iter().map(|i| chunk[*i].1.spec.clone()).collect();
                let world = RecordReceipts::load(tx, &self.at, &req).await?;
                match RecordReceipts::decide(&self.at, world, &req) {
                    Ok(outcome) => {
                        let row = self.row;
                        let lines: Vec<usize> = index
                            .iter()
                            .flat_map(|i| chunk[*i].1.lines.iter().copied())
                            .collect();
                        let door = Door::import(
                            format!("import {} ({})", row.id, row.kind),
                            json!({
                                "Import": row.id,
                                "Type": row.kind,
                                "FileName": row.file_name,
                                "Sha256": row.sha256,
                                "Lines": lines,
                            }),
                        );
                        let entry = tx
                            .append(Draft {
                                recorded_at: self.at.ctx.now.clone(),
                                license_number: Some(self.scope.license().to_string()),
                                actor: self.scope.acting().actor(),
                                endpoint: door.endpoint,
                                reason: def.reason.to_string(),
                                request: door.request,
                                result_ids: outcome.ids,
                                changes: outcome.changes,
                                door: Some(door.kind.as_str().to_string()),
                                action: Some(def.name.to_string()),
                            })
                            .await?;
                        self.entries.push(entry.seq);
                        break;
                    }
                    Err(Rejection::Rows(found)) => {
                        let before = bad.len();
                        for r in found {
                            if let Some(i) = index.get(r.row) {
                                let receipt = &chunk[*i].1;
                                self.errors
                                    .push(LineError::new(receipt.line_of(r.line), r.message));
                                bad.insert(*i);
                            }
                        }
                        if bad.len() == before {
                            // A row error naming no receipt of the request: the group as a whole.
                            bad.extend(index);
                        }
                    }
                    Err(other) => {
                        // Refused as a whole (permission, capability): say it once.
                        let line = chunk[index[0]].0;
                        self.errors.push(LineError::new(line, other.to_string()));
                        return Ok(false);
                    }
                }
            }
            self.done += chunk.iter().map(|(_, r)| r.lines.len()).sum::<usize>();
            set_progress(self.key, Some((self.done, self.total)));
        }
        Ok(true)
    }
}
