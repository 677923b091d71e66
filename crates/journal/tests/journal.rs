//! The journal through its public interface: round trips, torn tails, corruption anywhere,
//! encryption, checkpoints and proofs.
// Test arithmetic on small, known values: casts cannot truncate here.
#![allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_possible_wrap)]

use augury_journal::merkle::{self, leaf_hash};
use augury_journal::segment::list_segments;
use augury_journal::{verify, CheckpointPolicy, Durability, EncryptionKey, Journal, JournalError, JournalOptions};
use ed25519_dalek::SigningKey;
use std::path::Path;

fn payload(i: u64) -> Vec<u8> {
    format!("entry {i:06} {}", "x".repeat((i % 37) as usize)).into_bytes()
}

fn options() -> JournalOptions {
    JournalOptions {
        durability: Durability::Fsync,
        segment_bytes: 4_096,
        encryption: None,
        signing_key: Some(SigningKey::from_bytes(&[9u8; 32])),
        checkpoints: CheckpointPolicy { every_entries: 25, every_ms: u64::MAX },
        // Smaller than a segment, so segments are extended more than once.
        preallocate_bytes: 1_024,
    }
}

/// Where the last frame of a segment ends: frames end in payload bytes, never in zero, so
/// everything after the last nonzero byte is preallocated space.
fn written_len(segment: &Path) -> u64 {
    let bytes = std::fs::read(segment).unwrap();
    bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i as u64 + 1)
}

fn write(dir: &Path, options: JournalOptions, from: u64, to: u64, per_commit: u64) {
    let (mut journal, recovery) = Journal::open(dir, options, &mut |_, _, _| Ok(())).unwrap();
    assert_eq!(recovery.entries, from);
    for i in from..to {
        assert_eq!(journal.append(&payload(i)).unwrap(), i);
        if (i + 1) % per_commit == 0 {
            journal.commit(i).unwrap();
        }
    }
    journal.commit(to).unwrap();
}

fn read_all(dir: &Path, options: JournalOptions) -> Result<Vec<Vec<u8>>, JournalError> {
    let mut entries = Vec::new();
    Journal::open(dir, options, &mut |i, p, _| {
        assert_eq!(i, entries.len() as u64);
        entries.push(p.to_vec());
        Ok(())
    })?;
    Ok(entries)
}

#[test]
fn entries_come_back_in_order_across_segments_and_reopenings() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), options(), 0, 150, 7);
    write(dir.path(), options(), 150, 300, 50);
    let segments = list_segments(dir.path()).unwrap();
    assert!(segments.len() > 3, "small segments roll: {}", segments.len());
    let entries = read_all(dir.path(), options()).unwrap();
    assert_eq!(entries, (0..300).map(payload).collect::<Vec<_>>());
    let report = verify(dir.path(), None).unwrap();
    assert_eq!(report.entries, 300);
    assert!(report.checkpoints_verified >= 6, "{report:?}");
    assert_eq!(report.torn_tail, None);
}

#[test]
fn a_torn_tail_is_cut_off_and_the_journal_continues() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), options(), 0, 40, 40);
    let (_, last) = list_segments(dir.path()).unwrap().pop().unwrap();
    let intact = written_len(&last);
    // Half a frame, as a crash in the middle of a write leaves it, over the preallocated zeros.
    let mut torn = std::fs::read(&last).unwrap();
    torn.truncate(intact as usize);
    torn.extend_from_slice(&[41, 0, 0, 0, 1, 2, 3, 4, 40, 0, 0]);
    torn.extend_from_slice(&[0u8; 100]);
    std::fs::write(&last, &torn).unwrap();
    let report = verify(dir.path(), None).unwrap();
    assert_eq!(report.torn_tail.as_ref().map(|t| t.offset), Some(intact));
    let (mut journal, recovery) = Journal::open(dir.path(), options(), &mut |_, _, _| Ok(())).unwrap();
    assert_eq!(recovery.entries, 40);
    assert_eq!(recovery.torn_tail.unwrap().bytes, 111);
    assert_eq!(std::fs::metadata(&last).unwrap().len(), intact);
    journal.append(&payload(40)).unwrap();
    journal.commit(0).unwrap();
    drop(journal);
    assert_eq!(read_all(dir.path(), options()).unwrap().len(), 41);
}

#[test]
fn zeros_after_the_last_frame_are_preallocated_space_and_the_next_entries_go_there() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), options(), 0, 10, 10);
    let (_, last) = list_segments(dir.path()).unwrap().pop().unwrap();
    let intact = written_len(&last);
    #[cfg(target_os = "linux")]
    assert!(std::fs::metadata(&last).unwrap().len() > intact, "the writer preallocates ahead");
    let mut bytes = std::fs::read(&last).unwrap();
    bytes.extend_from_slice(&[0u8; 300]);
    std::fs::write(&last, &bytes).unwrap();
    let report = verify(dir.path(), None).unwrap();
    assert_eq!((report.entries, report.torn_tail), (10, None));
    assert_eq!(report.bytes, intact, "the preallocated zeros are not counted as journal bytes");

    write(dir.path(), options(), 10, 12, 1);
    assert_eq!(read_all(dir.path(), options()).unwrap(), (0..12).map(payload).collect::<Vec<_>>());
    assert!(written_len(&last) > intact, "entry 10 went where the zeros were");

    // The same with preallocation off: the file ends where the data does.
    let plain = tempfile::tempdir().unwrap();
    let no_preallocation = JournalOptions { preallocate_bytes: 0, ..options() };
    write(plain.path(), no_preallocation.clone(), 0, 10, 10);
    let (_, last) = list_segments(plain.path()).unwrap().pop().unwrap();
    assert_eq!(std::fs::metadata(&last).unwrap().len(), written_len(&last));
    assert_eq!(read_all(plain.path(), no_preallocation).unwrap().len(), 10);
}

#[test]
fn flipping_any_byte_of_a_closed_segment_is_caught_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let no_checkpoints = JournalOptions { signing_key: None, ..options() };
    write(dir.path(), no_checkpoints.clone(), 0, 120, 10);
    let segments = list_segments(dir.path()).unwrap();
    let (first_index, closed) = segments[1].clone();
    let original = std::fs::read(&closed).unwrap();
    let next_first = segments[2].0;
    for offset in 0..original.len() {
        let mut damaged = original.clone();
        damaged[offset] ^= 0x40;
        std::fs::write(&closed, &damaged).unwrap();
        match verify(dir.path(), None) {
            Err(JournalError::Corrupt { segment, offset: at, entry, reason }) => {
                assert_eq!(segment, closed, "byte {offset}: {reason}");
                assert!(at as usize <= offset, "byte {offset} reported at {at}");
                assert!((first_index..next_first).contains(&entry), "byte {offset}: entry {entry}");
            }
            other => panic!("flipping byte {offset} of a closed segment went unnoticed: {other:?}"),
        }
        // Startup refuses too, and leaves the damage for an operator to inspect.
        assert!(matches!(read_all(dir.path(), no_checkpoints.clone()), Err(JournalError::Corrupt { .. })));
    }
    std::fs::write(&closed, &original).unwrap();
    assert_eq!(verify(dir.path(), None).unwrap().entries, 120);
}

#[test]
fn an_altered_entry_with_a_fixed_crc_breaks_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), JournalOptions { signing_key: None, ..options() }, 0, 30, 30);
    let (_, path) = list_segments(dir.path()).unwrap().remove(0);
    let mut bytes = std::fs::read(&path).unwrap();
    // Rewrite the payload of entry 0 and recompute its CRC, as a careful forger would.
    let body_len = u32::from_le_bytes(bytes[32..36].try_into().unwrap()) as usize;
    bytes[40 + 40] ^= 1;
    let crc = crc32c::crc32c(&bytes[40..40 + body_len]);
    bytes[36..40].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    match verify(dir.path(), None) {
        Err(JournalError::Corrupt { entry: 0, reason, .. }) => assert!(reason.contains("chain"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn removing_checkpointed_entries_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), options(), 0, 100, 10);
    let (_, last) = list_segments(dir.path()).unwrap().pop().unwrap();
    std::fs::remove_file(last).unwrap();
    match verify(dir.path(), None) {
        Err(JournalError::Corrupt { reason, .. }) => {
            assert!(reason.contains("removed") || reason.contains("starts at"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn encrypted_journals_need_their_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = EncryptionKey::generate().unwrap();
    let encrypted = JournalOptions { encryption: Some(key.clone()), ..options() };
    write(dir.path(), encrypted.clone(), 0, 60, 6);
    // Plaintext is nowhere on disk.
    for (_, path) in list_segments(dir.path()).unwrap() {
        let bytes = std::fs::read(path).unwrap();
        assert!(!bytes.windows(12).any(|w| w == b"entry 000001"), "payload readable on disk");
    }
    assert_eq!(read_all(dir.path(), encrypted.clone()).unwrap(), (0..60).map(payload).collect::<Vec<_>>());
    assert!(matches!(read_all(dir.path(), options()), Err(JournalError::KeyRequired(_))));
    let wrong = JournalOptions { encryption: Some(EncryptionKey::generate().unwrap()), ..options() };
    assert!(matches!(read_all(dir.path(), wrong), Err(JournalError::WrongKey(_))));
    assert!(matches!(verify(dir.path(), None), Err(JournalError::KeyRequired(_))));
    assert_eq!(verify(dir.path(), Some(&key)).unwrap().entries, 60);
}

#[test]
fn proofs_from_the_leaf_file_verify_against_signed_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), options(), 0, 130, 13);
    let checkpoints = augury_journal::checkpoint::load_checkpoints(dir.path()).unwrap();
    assert!(checkpoints.len() >= 5);
    let public = SigningKey::from_bytes(&[9u8; 32]).verifying_key();
    let newest = checkpoints.last().unwrap();
    assert!(newest.verify(&public));
    let leaves = augury_journal::read_leaves(dir.path(), newest.size).unwrap();
    for index in [0, 1, 57, newest.size - 1] {
        let entry = augury_journal::read_entry(dir.path(), None, index).unwrap();
        assert_eq!(entry, payload(index));
        let proof = merkle::inclusion_proof(index, &leaves);
        assert!(merkle::verify_inclusion(
            index,
            newest.size,
            &leaf_hash(index, &entry),
            &proof,
            &newest.root().unwrap()
        ));
    }
    let older = &checkpoints[1];
    let proof = merkle::consistency_proof(older.size, &leaves);
    assert!(merkle::verify_consistency(
        older.size,
        newest.size,
        &older.root().unwrap(),
        &newest.root().unwrap(),
        &proof
    ));
}

#[test]
fn a_lost_leaf_file_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), options(), 0, 50, 5);
    let path = dir.path().join("merkle-leaves.bin");
    let good = std::fs::read(&path).unwrap();
    std::fs::write(&path, &good[..100]).unwrap();
    assert!(verify(dir.path(), None).unwrap().leaves_stale);
    let (_, recovery) = Journal::open(dir.path(), options(), &mut |_, _, _| Ok(())).unwrap();
    assert!(recovery.leaves_rebuilt);
    assert_eq!(std::fs::read(&path).unwrap(), good);
}

/// One committed entry read by walking its segment gives exactly the payload the journal holds,
/// in every segment, encrypted or not, while the journal is still open for appending; an entry
/// not written yet is refused.
#[test]
fn a_committed_entry_is_read_from_its_segment_alone() {
    for encryption in [None, Some(EncryptionKey::from_bytes([5u8; 32]))] {
        let dir = tempfile::tempdir().unwrap();
        let options = JournalOptions { encryption: encryption.clone(), ..options() };
        let (mut journal, _) = Journal::open(dir.path(), options, &mut |_, _, _| Ok(())).unwrap();
        for i in 0..120 {
            journal.append(&payload(i)).unwrap();
            if i % 9 == 0 {
                journal.commit(i).unwrap();
            }
        }
        journal.commit(120).unwrap();
        assert!(list_segments(dir.path()).unwrap().len() > 2);
        for i in [0, 1, 57, 119] {
            let read = augury_journal::read_committed_entry(dir.path(), encryption.as_ref(), i).unwrap();
            assert_eq!(read, payload(i), "entry {i}");
        }
        assert!(augury_journal::read_committed_entry(dir.path(), encryption.as_ref(), 120).is_err());
        drop(journal);
    }
}
