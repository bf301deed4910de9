//! `bench-client ENDPOINT CACHE_DIR OWNER/NAME (snapshot | file NAME)`: one download
//! with our client (default settings), for `cargo xtask bench download`.
//! `HF_RS_BENCH_CONNECTIONS`, `HF_RS_BENCH_INITIAL_CONNECTIONS` and
//! `HF_RS_BENCH_CHUNK_MIB` and `HF_RS_BENCH_THRESHOLD_MIB` override the parallel
//! settings, `HF_RS_BENCH_WORKERS` the snapshot's `max_workers`, and
//! `HF_RS_BENCH_WORKER_THREADS` the runtime's worker threads (for tuning experiments;
//! the benchmark itself uses the defaults). `RUST_LOG` (e.g. `hf_api=debug`) logs to
//! stderr.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    hf_rs_bench::block_on(run())
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [endpoint, cache, repo, mode, rest @ ..] = args.as_slice() else {
        return Err(
            "usage: bench-client ENDPOINT CACHE_DIR OWNER/NAME (snapshot | file NAME)".into(),
        );
    };
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let api = hf_api::HfApiBuilder::new()
        .endpoint(endpoint.as_str())
        .cache_dir(cache.as_str())
        .build()?;
    let mut parallel = hf_api::ParallelConfig::default();
    if let Ok(n) = std::env::var("HF_RS_BENCH_CONNECTIONS") {
        parallel = parallel.with_connections(n.parse()?);
    }
    if let Ok(n) = std::env::var("HF_RS_BENCH_INITIAL_CONNECTIONS") {
        parallel = parallel.with_initial_connections(n.parse()?);
    }
    if let Ok(n) = std::env::var("HF_RS_BENCH_CHUNK_MIB") {
        parallel = parallel.with_chunk_size(n.parse::<u64>()? << 20);
    }
    if let Ok(n) = std::env::var("HF_RS_BENCH_THRESHOLD_MIB") {
        parallel = parallel.with_threshold(n.parse::<u64>()? << 20);
    }
    let path = match (mode.as_str(), rest) {
        ("snapshot", []) => {
            let mut req = api.snapshot_download(repo.as_str()).parallel(parallel);
            if let Ok(n) = std::env::var("HF_RS_BENCH_WORKERS") {
                req = req.max_workers(n.parse()?);
            }
            req.await?
        }
        ("file", [file]) => {
            api.hf_hub_download(repo.as_str(), file.as_str())
                .parallel(parallel)
                .await?
        }
        _ => return Err("mode must be `snapshot` or `file NAME`".into()),
    };
    println!("{}", path.display());
    Ok(())
}
