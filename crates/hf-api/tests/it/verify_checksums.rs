//! `verify_repo_checksums`: the files of a cached snapshot or a `local_dir` against the
//! Hub's checksums.

use hf_api::{Error, HashAlgorithm};

use crate::download::{fixture, sha256_hex};

#[tokio::test]
async fn cached_snapshot_and_local_dir_are_checked_against_the_hub() {
    let fx = fixture().await;
    let api = fx.api();
    let snapshot = api.snapshot_download("alice/m").await.unwrap();

    let report = api.verify_repo_checksums("alice/m").await.unwrap();
    assert!(report.all_match(), "{report:?}");
    assert_eq!(report.checked_count, 4, "{report:?}");
    assert_eq!(report.revision, fx.commit);
    assert_eq!(
        report.verified_path,
        std::fs::canonicalize(&snapshot).unwrap()
    );
    assert!(report.missing_paths.is_empty() && report.extra_paths.is_empty());

    // Damage two blobs, remove one entry, add a stray file.
    let blobs = fx.repo_dir().join("blobs");
    std::fs::write(blobs.join(sha256_hex(&fx.weights)), b"not the weights").unwrap();
    let config_blob = std::fs::canonicalize(snapshot.join("config.json")).unwrap();
    std::fs::write(&config_blob, b"{}").unwrap();
    std::fs::remove_file(snapshot.join("big.bin")).unwrap();
    std::fs::write(snapshot.join("stray.txt"), b"x").unwrap();
    let report = api
        .verify_repo_checksums("alice/m")
        .revision(&fx.commit)
        .await
        .unwrap();
    let found: Vec<_> = report
        .mismatches
        .iter()
        .map(|m| {
            (
                m.path.as_str(),
                m.algorithm,
                m.expected.len(),
                m.actual.len(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("config.json", HashAlgorithm::GitSha1, 40, 40),
            ("sub/w.bin", HashAlgorithm::Sha256, 64, 64)
        ]
    );
    assert_eq!(report.mismatches[1].expected, sha256_hex(&fx.weights));
    assert_eq!(report.mismatches[1].actual, sha256_hex(b"not the weights"));
    assert_eq!(report.checked_count, 3);
    assert_eq!(report.missing_paths, ["big.bin"]);
    assert_eq!(report.extra_paths, ["stray.txt"]);

    // A local_dir (filled from a fresh cache, as the damaged one would be copied): its
    // bookkeeping folder is not a file of the repo.
    let local = tempfile::tempdir().unwrap();
    let fresh = tempfile::tempdir().unwrap();
    crate::download::client(&fx.hub.url(), fresh.path())
        .snapshot_download("alice/m")
        .local_dir(local.path())
        .await
        .unwrap();
    std::fs::write(local.path().join("notes.md"), b"mine").unwrap();
    let report = api
        .verify_repo_checksums("alice/m")
        .local_dir(local.path())
        .await
        .unwrap();
    assert!(report.all_match() && report.missing_paths.is_empty());
    assert_eq!(
        (report.checked_count, report.revision.as_str()),
        (4, "main")
    );
    assert_eq!(report.extra_paths, ["notes.md"]);

    // What cannot be checked says why.
    let err = api.verify_repo_checksums("alice/other").await.unwrap_err();
    assert!(matches!(err, Error::LocalEntryNotFound { .. }), "{err:?}");
    let err = api
        .verify_repo_checksums("alice/m")
        .revision("v9")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LocalEntryNotFound { .. }), "{err:?}");
    let err = api
        .verify_repo_checksums("alice/m")
        .local_dir(local.path())
        .cache_dir(fx.cache.path())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
}
