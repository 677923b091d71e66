//! What one journal entry holds: an accepted command and the events it caused, in a compact
//! binary form (postcard), behind a one-byte format version.

use augury_core::{Command, Event};
use serde::{Deserialize, Serialize};

const FORMAT_V1: u8 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub command: Command,
    pub events: Vec<Event>,
}

/// Encodes a record into `out` (cleared first).
pub fn encode(command: &Command, events: &[Event], out: &mut Vec<u8>) {
    #[derive(Serialize)]
    struct RecordRef<'a> {
        command: &'a Command,
        events: &'a [Event],
    }
    out.clear();
    out.push(FORMAT_V1);
    let encoded = postcard::to_extend(&RecordRef { command, events }, std::mem::take(out))
        .expect("encoding into a Vec cannot fail");
    *out = encoded;
}

pub fn decode(bytes: &[u8]) -> Result<Record, String> {
    match bytes.split_first() {
        Some((&FORMAT_V1, rest)) => postcard::from_bytes(rest).map_err(|e| format!("undecodable record: {e}")),
        Some((version, _)) => Err(format!("unknown record format {version}")),
        None => Err("empty record".into()),
    }
}
