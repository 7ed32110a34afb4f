//! The door a request came through. Every journal entry names it and keeps the request as that
//! door received it: an API body, the fields of a web form, an operator's command line, an
//! imported file's digest. An audit record must never say a request came through a door nobody
//! used, so doors do not borrow each other's names.

use serde_json::Value;

/// The kinds of door into the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoorKind {
    /// The Metrc v2 HTTP API and the `/tagtrail/v1` extensions.
    Api,
    /// A form of the web UI.
    Web,
    /// An operator's command (`tagtrail admin …`, the demo seeder acting for its staff).
    Operator,
    /// An operator's bulk import of records from a file.
    Import,
}

impl DoorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DoorKind::Api => "api",
            DoorKind::Web => "web",
            DoorKind::Operator => "operator",
            DoorKind::Import => "import",
        }
    }
}

/// How one request reached the ledger: the door, where in it (`POST /strains/v2`,
/// `POST /ui/l/C11-0000701-LIC/tags/receive`, `tagtrail admin hold`), what it received, and the
/// reason the caller gave, if any.
#[derive(Debug, Clone)]
pub struct Door {
    pub(crate) kind: DoorKind,
    pub(crate) endpoint: String,
    pub(crate) request: Value,
    pub(crate) reason: Option<String>,
    /// Elements the door itself refused (a text longer than its field allows): reported with
    /// whatever the decision refuses, all at once, and nothing is written.
    pub(crate) refused: Vec<tagtrail_domain::RowError>,
}

impl Door {
    fn new(kind: DoorKind, endpoint: impl Into<String>, request: Value) -> Door {
        Door {
            kind,
            endpoint: endpoint.into(),
            request,
            reason: None,
            refused: Vec::new(),
        }
    }

    /// An API request: `METHOD /path` as called, and the body as sent.
    pub fn api(endpoint: impl Into<String>, body: Value) -> Door {
        Door::new(DoorKind::Api, endpoint, body)
    }

    /// A web form: `METHOD /path` as posted, and the form's fields (never a password or a
    /// CSRF token).
    pub fn web(endpoint: impl Into<String>, form: Value) -> Door {
        Door::new(DoorKind::Web, endpoint, form)
    }

    /// An operator's command and its arguments.
    pub fn operator(command: impl Into<String>, args: Value) -> Door {
        Door::new(DoorKind::Operator, command, args)
    }

    /// A bulk import: where it came from, and a description of the file (name, digest, counts).
    pub fn import(source: impl Into<String>, file: Value) -> Door {
        Door::new(DoorKind::Import, source, file)
    }

    /// Elements refused at the door, by row: the action still decides (so every bad row is
    /// reported together), and then refuses with these beside its own.
    pub fn refusing(mut self, rows: Vec<(usize, String)>) -> Door {
        self.refused = rows
            .into_iter()
            .map(|(row, message)| tagtrail_domain::RowError::new(row, message))
            .collect();
        self
    }

    /// The reason the caller gave. Blank counts as none, so the action's default applies.
    pub fn because(mut self, reason: Option<&str>) -> Door {
        self.reason = reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        self
    }

    pub fn kind(&self) -> DoorKind {
        self.kind
    }
}
