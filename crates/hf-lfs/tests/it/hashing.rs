//! Hashing: known sha256 vectors, `sha256sum` on a multi-block file, samples, git sha1.

use std::io::{Cursor, Seek, SeekFrom};
use std::process::Command;

use hf_lfs::{CommitOperation, CommitOperationAdd, git_blob_sha1, hash_additions, sha256};

/// Deterministic, incompressible-looking content (xorshift); distinct for every seed.
pub(crate) fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = (seed << 1) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

#[test]
fn sha256_known_vectors() {
    assert_eq!(
        sha256(b"").as_str(),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        sha256(b"abc").as_str(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        sha256(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").as_str(),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
}

#[test]
fn git_blob_sha1_matches_git() {
    assert_eq!(
        git_blob_sha1(b"Hello, World!"),
        "b45ef6fec89518d314f546fd6c3025367b721684"
    );
    assert_eq!(
        git_blob_sha1(b""),
        "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    );
}

fn sha256sum(path: &std::path::Path) -> String {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum is installed");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

#[tokio::test]
async fn multi_block_files_match_sha256sum_and_sources_agree() {
    let dir = tempfile::tempdir().unwrap();
    // Sizes around the 2 MiB read block and the 512-byte sample.
    let sizes = [
        0usize,
        1,
        511,
        512,
        513,
        2 * 1024 * 1024,
        5 * 1024 * 1024 + 123,
    ];
    let mut ops: Vec<CommitOperation> = Vec::new();
    let mut expected = Vec::new();
    for (i, size) in sizes.iter().enumerate() {
        let data = pseudo_random(*size, i as u64 + 7);
        let path = dir.path().join(format!("f{i}"));
        std::fs::write(&path, &data).unwrap();
        expected.push((
            sha256sum(&path),
            *size as u64,
            data[..data.len().min(512)].to_vec(),
        ));
        ops.push(
            CommitOperationAdd::from_path(&format!("p/f{i}"), &path)
                .unwrap()
                .into(),
        );
        ops.push(
            CommitOperationAdd::from_bytes(&format!("b/f{i}"), data.clone())
                .unwrap()
                .into(),
        );
        // A reader positioned mid-way is still read from offset 0.
        let mut cursor = Cursor::new(data);
        cursor.seek(SeekFrom::End(0)).unwrap();
        ops.push(
            CommitOperationAdd::from_reader(&format!("r/f{i}"), cursor)
                .unwrap()
                .into(),
        );
    }
    hash_additions(&mut ops).await.unwrap();
    for (i, (sha, size, sample)) in expected.iter().enumerate() {
        for op in &ops[3 * i..3 * i + 3] {
            let info = op.as_add().unwrap().upload_info().unwrap();
            assert_eq!(info.sha256.as_str(), sha, "{}", op.path_in_repo());
            assert_eq!(info.size, *size, "{}", op.path_in_repo());
            assert_eq!(&info.sample[..], &sample[..], "{}", op.path_in_repo());
        }
    }
}

#[test]
fn blocking_hash_reports_which_file_failed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gone");
    std::fs::write(&path, b"x").unwrap();
    let mut ops: Vec<CommitOperation> = vec![
        CommitOperationAdd::from_bytes("ok.txt", &b"ok"[..])
            .unwrap()
            .into(),
        CommitOperationAdd::from_path("gone.txt", &path)
            .unwrap()
            .into(),
    ];
    std::fs::remove_file(&path).unwrap();
    let err = hf_lfs::hash_additions_blocking(&mut ops, 2).unwrap_err();
    match &err {
        hf_lfs::Error::Read { path_in_repo, .. } => assert_eq!(path_in_repo, "gone.txt"),
        other => panic!("unexpected {other:?}"),
    }
    // the error chain names the local file
    let source = std::error::Error::source(&err).unwrap().to_string();
    assert!(source.contains("gone"), "{source}");
}
