//! `bench-hub DATA_DIR BIG_BYTES SMALL_COUNT MEDIUM_COUNT MEDIUM_BYTES [tls]`: starts the
//! emulator (over HTTPS with its test certificate after `tls`) with three repos (created
//! once, kept in DATA_DIR), prints its URL, then
//! obeys stdin lines: `throttle BYTES_PER_SEC` (each CDN body), `clear`, `cpu` (prints
//! this process's CPU seconds). Exits at end of input.

use tokio::io::{AsyncBufReadExt as _, BufReader};

fn content(seed: u64, len: usize) -> Vec<u8> {
    // Incompressible, cheap to generate; a distinct odd state per seed (xorshift needs a
    // non-zero state), so every file has its own content and blob.
    let mut x = seed.wrapping_mul(2).wrapping_add(1);
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    // utime and stime are fields 14 and 15 of the whole line (11, 12 after the name).
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (args, tls) = match args.split_last() {
        Some((last, rest)) if last == "tls" => (rest, true),
        _ => (args.as_slice(), false),
    };
    let [dir, big, small, medium_n, medium_bytes] = args else {
        return Err(
            "usage: bench-hub DATA_DIR BIG_BYTES SMALL_COUNT MEDIUM_COUNT MEDIUM_BYTES [tls]"
                .into(),
        );
    };
    let (big, small): (usize, usize) = (big.parse()?, small.parse()?);
    let (medium_n, medium_bytes): (usize, usize) = (medium_n.parse()?, medium_bytes.parse()?);
    let mut builder = hf_testhub::TestHub::builder()
        .user("bench", "hf_bench")
        .data_dir(dir);
    if tls {
        builder = builder.tls(hf_testhub::TlsIdentity::test());
    }
    let hub = builder.start().await?;
    let model = hf_testhub::RepoType::Model;
    if hub.create_repo(model, "bench/big", false).is_ok() {
        hub.upload_file(model, "bench/big", "main", "big.bin", &content(1, big))?;
    }
    if hub.create_repo(model, "bench/small", false).is_ok() {
        // One commit (a commit per file takes the emulator minutes for 2000 files).
        let files: Vec<(String, Vec<u8>)> = (0..small)
            .map(|i| {
                let name = format!("files/{:02}/f{i:05}.txt", i % 50);
                (name, content(100 + i as u64, 4096))
            })
            .collect();
        let files: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, c)| (n.as_str(), c.as_slice()))
            .collect();
        hub.upload_files(model, "bench/small", "main", &files)?;
    }
    if hub.create_repo(model, "bench/medium", false).is_ok() {
        for i in 0..medium_n {
            let name = format!("shard-{i:02}.bin");
            hub.upload_file(
                model,
                "bench/medium",
                "main",
                &name,
                &content(10_000 + i as u64, medium_bytes),
            )?;
        }
    }
    println!("{}", hub.url());
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("throttle"), Some(rate)) => hub.fault(
                hf_testhub::FaultRule::any_method("/")
                    .on(hf_testhub::Listener::Cdn)
                    .throttle(rate.parse()?),
            ),
            (Some("clear"), _) => hub.clear_faults(),
            (Some("cpu"), _) => println!("{}", cpu_seconds()),
            _ => println!("?"),
        }
    }
    Ok(())
}
