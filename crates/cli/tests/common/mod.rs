//! `augury serve` as a child process on a free loopback port, for the tests that run the binary.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The serving venue; killed when dropped, pass or fail.
pub struct Served {
    pub child: Child,
    /// host:port
    pub address: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `augury serve --listen 127.0.0.1:0 --data-dir DATA` with `extra` arguments and waits
/// for the line that says where it serves.
pub fn serve(data: &Path, extra: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_augury"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .arg("--data-dir")
        .arg(data)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("augury runs");
    let stderr = child.stderr.take().expect("stderr is piped");
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let address = loop {
        let line = received.recv_timeout(Duration::from_secs(60)).expect("the venue says where it serves");
        if let Some(rest) = line.split("augury is serving http://").nth(1) {
            break rest.split_whitespace().next().expect("an address").to_string();
        }
    };
    Served { child, address }
}
