//! Measures hashing throughput: one large file (sequential sha256), then several files in
//! parallel, against `sha256sum` on the same data. Run with
//! `cargo run --release -p hf-lfs --example hash_throughput [MiB]`.

use std::io::Write;
use std::time::Instant;

use hf_lfs::{CommitOperation, CommitOperationAdd};

fn write_file(path: &std::path::Path, mib: usize, seed: u64) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut x = seed | 1;
    let mut block = vec![0u8; 1024 * 1024];
    for _ in 0..mib {
        for chunk in block.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes());
        }
        f.write_all(&block).unwrap();
    }
}

fn main() {
    let mib: usize = std::env::args().nth(1).map_or(1024, |a| a.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.bin");
    write_file(&big, mib, 1);
    let files: Vec<_> = (0..4)
        .map(|i| {
            let p = dir.path().join(format!("f{i}.bin"));
            write_file(&p, mib / 4, i + 2);
            p
        })
        .collect();

    let rt = tokio::runtime::Runtime::new().unwrap();
    // Warm the page cache so both sides read from memory.
    let _ = std::process::Command::new("cat")
        .arg(&big)
        .stdout(std::process::Stdio::null())
        .status();

    let mut ops: Vec<CommitOperation> = vec![
        CommitOperationAdd::from_path("big.bin", &big)
            .unwrap()
            .into(),
    ];
    let t = Instant::now();
    rt.block_on(hf_lfs::hash_additions(&mut ops)).unwrap();
    let ours = t.elapsed();
    let t = Instant::now();
    let out = std::process::Command::new("sha256sum")
        .arg(&big)
        .output()
        .unwrap();
    let theirs = t.elapsed();
    let ours_hex = ops[0]
        .as_add()
        .unwrap()
        .upload_info()
        .unwrap()
        .sha256
        .as_str()
        .to_owned();
    assert_eq!(&String::from_utf8_lossy(&out.stdout)[..64], ours_hex);
    let gb = mib as f64 / 1024.0;
    println!(
        "one file, {mib} MiB: hf-lfs {:.2} s ({:.2} GiB/s), sha256sum {:.2} s ({:.2} GiB/s)",
        ours.as_secs_f64(),
        gb / ours.as_secs_f64(),
        theirs.as_secs_f64(),
        gb / theirs.as_secs_f64()
    );

    let mut ops: Vec<CommitOperation> = files
        .iter()
        .enumerate()
        .map(|(i, p)| {
            CommitOperationAdd::from_path(&format!("f{i}"), p)
                .unwrap()
                .into()
        })
        .collect();
    let t = Instant::now();
    rt.block_on(hf_lfs::hash_additions(&mut ops)).unwrap();
    let ours = t.elapsed();
    let t = Instant::now();
    for p in &files {
        std::process::Command::new("sha256sum")
            .arg(p)
            .output()
            .unwrap();
    }
    let theirs = t.elapsed();
    println!(
        "4 files x {} MiB: hf-lfs (parallel, {} cores) {:.2} s ({:.2} GiB/s), sha256sum one by one {:.2} s",
        mib / 4,
        std::thread::available_parallelism().unwrap(),
        ours.as_secs_f64(),
        gb / ours.as_secs_f64(),
        theirs.as_secs_f64()
    );
}
