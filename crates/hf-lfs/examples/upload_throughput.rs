//! Measures an LFS upload + commit against hf-testhub on loopback: wall time and peak
//! memory. Run with
//! `cargo run --release -p hf-lfs --example upload_throughput [MiB] [chunk MiB]`.
//!
//! By default the emulator runs in this process (peak memory then counts both). With
//! `BENCH_ENDPOINT=http://127.0.0.1:PORT` (an `hf-testhub serve --user alice --token
//! hf_alice --chunk-size ...` started separately) only the client is measured.

use std::io::Write;
use std::time::Instant;

use hf_lfs::{CommitHeader, CommitOperation, CommitOperationAdd, TransferOptions, UploadTarget};
use hf_types::{RepoId, RepoType};

fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

#[tokio::main]
async fn main() {
    let mib: u64 = std::env::args().nth(1).map_or(1024, |a| a.parse().unwrap());
    let chunk_mib: u64 = std::env::args().nth(2).map_or(16, |a| a.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut x: u64 = 7;
        let mut block = vec![0u8; 1024 * 1024];
        for _ in 0..mib {
            for c in block.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                c.copy_from_slice(&x.to_le_bytes());
            }
            f.write_all(&block).unwrap();
        }
    }
    let (_hub, endpoint) = if let Ok(url) = std::env::var("BENCH_ENDPOINT") {
        (None, url)
    } else {
        let hub = hf_testhub::TestHub::builder()
            .user("alice", "hf_alice")
            .lfs_threshold(1024 * 1024)
            .multipart_chunk_size(chunk_mib * 1024 * 1024)
            .start()
            .await
            .unwrap();
        let url = hub.url();
        (Some(hub), url)
    };
    let client = hf_http::HubClient::builder(&endpoint)
        .token(hf_http::Token::new("hf_alice"))
        .build()
        .unwrap();
    let create = http::Request::post(client.url("/api/repos/create").unwrap())
        .header("content-type", "application/json")
        .body(hf_http::HfBody::full(
            r#"{"name": "bench", "organization": "alice", "private": false}"#,
        ))
        .unwrap();
    client.send(create).await.unwrap();
    let target = UploadTarget::new(RepoType::Model, RepoId::new("alice/bench").unwrap());
    let mut ops: Vec<CommitOperation> = vec![
        CommitOperationAdd::from_path("big.bin", &path)
            .unwrap()
            .into(),
    ];
    let before = peak_rss_mib();

    let t = Instant::now();
    hf_lfs::hash_additions(&mut ops).await.unwrap();
    let hashed = t.elapsed();
    let info = hf_lfs::create_commit(
        &client,
        &target,
        &CommitHeader::new("bench"),
        &mut ops,
        &TransferOptions::default(),
    )
    .await
    .unwrap()
    .unwrap();
    let total = t.elapsed();
    let upload = total.saturating_sub(hashed);
    println!(
        "{mib} MiB in parts of {chunk_mib} MiB: hash {:.2} s, preupload+upload+commit {:.2} s ({:.0} MiB/s), commit {}",
        hashed.as_secs_f64(),
        upload.as_secs_f64(),
        mib as f64 / upload.as_secs_f64(),
        info.commit_oid
    );
    println!(
        "peak RSS: {} MiB before, {} MiB after (client + emulator in one process)",
        before,
        peak_rss_mib()
    );
}
