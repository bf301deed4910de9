//! What the benchmark's client binaries share.

/// Runs `main` on the runtime the `hf` CLI builds; `HF_RS_BENCH_WORKER_THREADS`
/// overrides its worker count, for experiments.
pub fn block_on<F>(main: F) -> Result<(), Box<dyn std::error::Error>>
where
    F: std::future::Future<Output = Result<(), Box<dyn std::error::Error>>>,
{
    let workers = match std::env::var("HF_RS_BENCH_WORKER_THREADS") {
        Ok(n) => n.parse()?,
        Err(_) => hf_api::runtime_worker_threads(),
    };
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()?
        .block_on(main)
}
