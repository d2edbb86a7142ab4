//! Who is asking and what they may do: bearer tokens from a config file
//! (token → person, groups, admin), and the rule for edits: owners edit
//! their objectives and key results and record check-ins on them, admins
//! edit everything, anyone else is refused (403) and nothing changes.
//!
//! A real deployment puts an identity provider in front (OpenID Connect,
//! a reverse proxy that checks sessions) and maps its users to people and
//! groups here; the tokens file stands in for it.

use std::collections::HashMap;
use std::path::Path;

use okrs::{Edit, Id, Named, NodeKind, OkrSet};
use serde::Deserialize;

use crate::reader::Audience;

/// A person the server knows, from the tokens file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// The name that owners lists in the document use (`"dir-bizops"`).
    pub person: String,
    /// Groups the person belongs to; owning a node by a group's name
    /// counts for every member.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Admins may make every edit.
    #[serde(default)]
    pub admin: bool,
}

impl Person {
    /// Whether the person is one of `owners`, by name or group.
    #[must_use]
    pub fn is_among(&self, owners: &[String]) -> bool {
        owners
            .iter()
            .any(|owner| *owner == self.person || self.groups.contains(owner))
    }
}

/// One entry of the tokens file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenEntry {
    token: String,
    #[serde(flatten)]
    person: Person,
}

/// The tokens file: `{"tokens": [{"token": "…", "person": "ceo", "groups": […], "admin": true}, …]}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokensFile {
    tokens: Vec<TokenEntry>,
}

/// Bearer tokens and the people they stand for.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    by_token: HashMap<String, Person>,
}

/// The sample tokens file, for the built-in sample organisation's owners;
/// used when the server is started without `--tokens`.
pub const SAMPLE_TOKENS: &str = include_str!("../tokens.sample.json");

impl Tokens {
    /// Reads a tokens file.
    ///
    /// # Errors
    /// The file cannot be read or is not a tokens file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read tokens file {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses the text of a tokens file.
    ///
    /// # Errors
    /// The text is not a tokens file, or a token is empty or repeated.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: TokensFile =
            serde_json::from_str(text).map_err(|e| format!("not a tokens file: {e}"))?;
        let mut by_token = HashMap::new();
        for entry in file.tokens {
            if entry.token.trim().is_empty() {
                return Err(format!("an empty token for {}", entry.person.person));
            }
            if by_token.insert(entry.token, entry.person).is_some() {
                return Err("a token is listed twice".into());
            }
        }
        Ok(Self { by_token })
    }

    /// The person a token stands for.
    #[must_use]
    pub fn person(&self, token: &str) -> Option<&Person> {
        self.by_token.get(token)
    }
}

/// Why an edit is refused to a person: the nodes they may not edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forbidden {
    /// What was refused, for the message.
    pub reason: String,
    /// The nodes concerned.
    pub ids: Vec<Id>,
}

/// Whether `person` may make `edit` on `set` as it is now.
///
/// A node that does not exist is not refused here: the engine refuses the
/// edit with `unknown-node` (or whatever is wrong), which tells nothing a
/// 403 would hide. Nor is a node the person may not see (a private
/// objective of someone else's, and what is under it): it is treated
/// exactly as one that does not exist, and the writer answers it as the
/// engine answers an unknown node. Adding an objective is allowed when the
/// person is among its owners; making an objective public or private is
/// for its owners (not its key results'); periods (adding, removing,
/// closing, reopening) are for admins.
///
/// # Errors
/// [`Forbidden`] naming the nodes.
pub fn authorize(set: &OkrSet, person: &Person, edit: &Edit) -> Result<(), Forbidden> {
    if person.admin {
        return Ok(());
    }
    let owned = |id: &Id| -> Result<(), Forbidden> {
        if may_edit(set, person, id.as_str()) {
            Ok(())
        } else {
            Err(Forbidden {
                reason: format!(
                    "{} does not own {:?} (nor what it belongs to)",
                    person.person,
                    id.as_str()
                ),
                ids: vec![id.clone()],
            })
        }
    };
    match edit {
        Edit::AddObjective { objective } => {
            if person.is_among(&objective.owners) {
                Ok(())
            } else {
                Err(Forbidden {
                    reason: format!(
                        "a new objective must list {} among its owners",
                        person.person
                    ),
                    ids: vec![objective.id.clone()],
                })
            }
        }
        // The edits an owner may make: of the node the edit names as its
        // own (`Named::Node`).
        Edit::RemoveObjective { .. }
        | Edit::RemoveKeyResult { .. }
        | Edit::RemoveInitiative { .. }
        | Edit::SetTitle { .. }
        | Edit::SetDescription { .. }
        | Edit::SetOwners { .. }
        | Edit::SetVisibility { .. }
        | Edit::SetWeight { .. }
        | Edit::SetCommitment { .. }
        | Edit::SetLevel { .. }
        | Edit::SetPeriod { .. }
        | Edit::SetMetric { .. }
        | Edit::SetInitiativeStatus { .. }
        | Edit::AddKeyResult { .. }
        | Edit::AddInitiative { .. }
        | Edit::RecordCheckIn { .. }
        | Edit::AddLink { .. }
        | Edit::RemoveLink { .. }
        | Edit::MoveLink { .. }
        | Edit::SetLinkWeight { .. }
        | Edit::CarryForward { .. } => match named(edit, Named::Node) {
            Some(node) => owned(&node),
            None => Ok(()),
        },
        Edit::CorrectCheckIn { .. } | Edit::DeleteCheckIn { .. } => {
            match named(edit, Named::CheckIn).and_then(|c| key_result_of_check_in(set, &c)) {
                Some(key_result) => owned(&key_result),
                None => Ok(()),
            }
        }
        // Periods belong to the whole organisation; new kinds of edit are
        // for admins until a rule is written for them.
        _ => Err(Forbidden {
            reason: format!("only an admin may {}", edit.op()),
            ids: Vec::new(),
        }),
    }
}

/// Whether the person owns the node or something it belongs to (the key
/// result's parents up to its objective). A node that is not there, or
/// that the person may not see, is left to the engine (and the writer) to
/// refuse.
fn may_edit(set: &OkrSet, person: &Person, id: &str) -> bool {
    let Some(mut node) = set.node(id) else {
        return true;
    };
    if Audience::of(person)
        .viewer()
        .is_some_and(|viewer| !set.is_visible_to(id, viewer))
    {
        return true;
    }
    loop {
        if person.is_among(node.owners()) {
            return true;
        }
        if node.kind() == NodeKind::Objective {
            return false;
        }
        match node.parent() {
            Some(parent) => node = parent,
            None => return false,
        }
    }
}

/// The first id an edit names as `named` (see [`Edit::ids`]).
fn named(edit: &Edit, named: Named) -> Option<Id> {
    edit.ids()
        .into_iter()
        .find(|(_, n)| *n == named)
        .map(|(id, _)| id)
}

/// The key result holding a check-in: check-in ids are
/// `<key result>#<n>`, and the key result must hold it.
fn key_result_of_check_in(set: &OkrSet, check_in: &Id) -> Option<Id> {
    let (key_result, _) = check_in.as_str().rsplit_once('#')?;
    let node = set.node(key_result)?;
    // Whose check-in it is does not matter when it is hidden: the edit is
    // answered as one of an unknown check-in.
    node.check_ins()
        .iter()
        .any(|c| c.id.as_ref() == Some(check_in))
        .then(|| node.id().clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str) -> Person {
        Person {
            person: name.into(),
            groups: Vec::new(),
            admin: false,
        }
    }

    fn check_in(key_result: &str) -> Edit {
        serde_json::from_str(&format!(
            r#"{{"op": "record-check-in", "key_result": "{key_result}", "check_in": {{"at": "2026-12-01", "value": "1"}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn owners_of_a_key_result_or_its_objective_may_check_in_others_may_not() {
        let set = OkrSet::from_document(okrs::sample::document()).unwrap();
        // hire-sdrs is owned by dir-bizops; onboarding-system by ops-lead,
        // under grow-bizops owned by dir-bizops.
        assert!(authorize(&set, &person("dir-bizops"), &check_in("hire-sdrs")).is_ok());
        assert!(authorize(&set, &person("dir-bizops"), &check_in("onboarding-system")).is_ok());
        assert!(authorize(&set, &person("ops-lead"), &check_in("onboarding-system")).is_ok());
        let refused = authorize(&set, &person("ops-lead"), &check_in("hire-sdrs")).unwrap_err();
        assert_eq!(refused.ids[0].as_str(), "hire-sdrs");
        let mut group_member = person("someone");
        group_member.groups.push("dir-bizops".into());
        assert!(authorize(&set, &group_member, &check_in("hire-sdrs")).is_ok());
        let mut admin = person("root");
        admin.admin = true;
        assert!(authorize(&set, &admin, &check_in("hire-sdrs")).is_ok());
        // Unknown nodes are the engine's to refuse.
        assert!(authorize(&set, &person("ana"), &check_in("no-such")).is_ok());
        // Periods are for admins.
        let close: Edit =
            serde_json::from_str(r#"{"op": "close-period", "period": "2026-Q4"}"#).unwrap();
        assert!(authorize(&set, &person("ceo"), &close).is_err());
    }

    #[test]
    fn the_sample_tokens_file_parses() {
        let tokens = Tokens::parse(SAMPLE_TOKENS).unwrap();
        assert!(tokens.person("dir-bizops-token").is_some());
        assert!(Tokens::parse(r#"{"tokens": [{"token": " ", "person": "a"}]}"#).is_err());
    }
}
