//! What one journal entry holds: an accepted venue command and the engine events it caused, in
//! a compact binary form (postcard), behind a one-byte format version.

use crate::VenueCommand;
use augury_core::Event;
use serde::{Deserialize, Serialize};

/// Version 3: market specs carry a close time and the lifecycle commands exist (version 2 had
/// neither; version 1 held a bare engine command).
const FORMAT_V3: u8 = 3;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub command: VenueCommand,
    pub events: Vec<Event>,
}

/// Encodes a record into `out` (cleared first).
pub fn encode(command: &VenueCommand, events: &[Event], out: &mut Vec<u8>) {
    #[derive(Serialize)]
    struct RecordRef<'a> {
        command: &'a VenueCommand,
        events: &'a [Event],
    }
    out.clear();
    out.push(FORMAT_V3);
    let encoded = postcard::to_extend(&RecordRef { command, events }, std::mem::take(out))
        .expect("encoding into a Vec cannot fail");
    *out = encoded;
}

pub fn decode(bytes: &[u8]) -> Result<Record, String> {
    match bytes.split_first() {
        Some((&FORMAT_V3, rest)) => postcard::from_bytes(rest).map_err(|e| format!("undecodable record: {e}")),
        Some((1, _)) => {
            Err("the entry was written by an older Augury (record format 1); start a new data directory".into())
        }
        Some((version, _)) => Err(format!("unknown record format {version} (written by a newer Augury?)")),
        None => Err("empty record".into()),
    }
}
