//! The NDJSON commit payload: exact bytes per operation kind, and streaming.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use futures_util::TryStreamExt;
use hf_lfs::{
    CommitHeader, CommitOperation, CommitOperationAdd, CommitOperationCopy, CommitOperationDelete,
    CommitPayload, CopySource, UploadMode,
};
use hf_types::LfsOid;

use crate::hashing::pseudo_random;

async fn render(header: &CommitHeader, ops: &[CommitOperation]) -> (String, Vec<Bytes>) {
    let payload = CommitPayload::new(header, ops).unwrap();
    let len = payload.content_length();
    let chunks: Vec<Bytes> = payload.into_stream().try_collect().await.unwrap();
    let body = chunks.concat();
    assert_eq!(
        body.len() as u64,
        len,
        "content_length matches the streamed body"
    );
    (String::from_utf8(body).unwrap(), chunks)
}

fn add(path: &str, content: &[u8], mode: UploadMode) -> CommitOperation {
    let mut ops = vec![CommitOperation::from(
        CommitOperationAdd::from_bytes(path, content.to_vec()).unwrap(),
    )];
    hf_lfs::hash_additions_blocking(&mut ops, 1).unwrap();
    let CommitOperation::Add(mut a) = ops.pop().unwrap() else {
        unreachable!()
    };
    a.set_upload_mode(mode);
    a.into()
}

#[tokio::test]
async fn worked_exchange_14_2_lines() {
    let readme = b"---\nlicense: mit\n---\n# ds\n";
    let big = pseudo_random(20 * 1024 * 1024, 3);
    let big_oid = hf_lfs::sha256(&big);
    let ops = vec![
        add("README.md", readme, UploadMode::Regular),
        add("data/big.bin", &big, UploadMode::Lfs),
    ];
    let (body, _) = render(
        &CommitHeader::new("Upload folder using huggingface_hub"),
        &ops,
    )
    .await;
    let expected = format!(
        concat!(
            "{{\"key\": \"header\", \"value\": {{\"summary\": \"Upload folder using huggingface_hub\", \"description\": \"\"}}}}\n",
            "{{\"key\": \"file\", \"value\": {{\"content\": \"LS0tCmxpY2Vuc2U6IG1pdAotLS0KIyBkcwo=\", \"path\": \"README.md\", \"encoding\": \"base64\"}}}}\n",
            "{{\"key\": \"lfsFile\", \"value\": {{\"path\": \"data/big.bin\", \"algo\": \"sha256\", \"oid\": \"{oid}\", \"size\": 20971520}}}}\n",
        ),
        oid = big_oid.as_str()
    );
    assert_eq!(body, expected);
}

#[tokio::test]
async fn every_operation_kind() {
    let lfs_src = LfsOid::new("a".repeat(64)).unwrap();
    let mut copy_lfs = CommitOperationCopy::new("w.bin", "w2.bin").unwrap();
    copy_lfs.resolve(CopySource::Lfs {
        oid: lfs_src.clone(),
    });
    let mut copy_regular = CommitOperationCopy::new("c.txt", "c2.txt").unwrap();
    copy_regular.resolve(CopySource::Regular(Bytes::from_static(b"hi")));
    let ops: Vec<CommitOperation> = vec![
        CommitOperationDelete::new("old.txt").unwrap().into(),
        CommitOperationDelete::new("logs/").unwrap().into(),
        CommitOperationDelete::folder("runs").unwrap().into(),
        add("empty.bin", b"", UploadMode::Lfs), // empty content is always regular
        add("ü/é.txt", b"\xff\x00", UploadMode::Regular),
        copy_lfs.into(),
        copy_regular.into(),
    ];
    let header = CommitHeader::new("Änderung \"quoted\"")
        .description("line1\nline2")
        .parent_commit("0123456789abcdef0123456789abcdef01234567")
        .unwrap();
    let (body, _) = render(&header, &ops).await;
    let expected = [
        r#"{"key": "header", "value": {"summary": "\u00c4nderung \"quoted\"", "description": "line1\nline2", "parentCommit": "0123456789abcdef0123456789abcdef01234567"}}"#,
        r#"{"key": "deletedFile", "value": {"path": "old.txt"}}"#,
        r#"{"key": "deletedFolder", "value": {"path": "logs/"}}"#,
        r#"{"key": "deletedFolder", "value": {"path": "runs"}}"#,
        r#"{"key": "file", "value": {"content": "", "path": "empty.bin", "encoding": "base64"}}"#,
        r#"{"key": "file", "value": {"content": "/wA=", "path": "\u00fc/\u00e9.txt", "encoding": "base64"}}"#,
        &format!(
            r#"{{"key": "lfsFile", "value": {{"path": "w2.bin", "algo": "sha256", "oid": "{}"}}}}"#,
            lfs_src.as_str()
        ),
        r#"{"key": "file", "value": {"content": "aGk=", "path": "c2.txt", "encoding": "base64"}}"#,
    ];
    let lines: Vec<&str> = body.split_inclusive('\n').collect();
    assert_eq!(lines.len(), expected.len());
    for (got, want) in lines.iter().zip(expected) {
        assert_eq!(*got, format!("{want}\n"));
    }
}

#[tokio::test]
async fn unprepared_operations_and_bad_headers_are_refused() {
    // An addition without an upload mode cannot be committed.
    let mut ops = vec![CommitOperation::from(
        CommitOperationAdd::from_bytes("a.txt", &b"a"[..]).unwrap(),
    )];
    let err = CommitPayload::new(&CommitHeader::new("x"), &ops).unwrap_err();
    assert!(err.to_string().contains("hash_additions"), "{err}");
    hf_lfs::hash_additions_blocking(&mut ops, 1).unwrap();
    let err = CommitPayload::new(&CommitHeader::new("x"), &ops).unwrap_err();
    assert!(err.to_string().contains("preupload"), "{err}");
    // An unresolved copy cannot either.
    let copy: CommitOperation = CommitOperationCopy::new("a", "b").unwrap().into();
    let err = CommitPayload::new(&CommitHeader::new("x"), &[copy]).unwrap_err();
    assert!(err.to_string().contains("resolve"), "{err}");
    // Empty summary and bad parent commits are rejected.
    assert!(CommitPayload::new(&CommitHeader::new(""), &[]).is_err());
    assert!(CommitHeader::new("x").parent_commit("abcd").is_err());
    assert!(CommitHeader::new("x").parent_commit("zzzzzzz").is_err());
    assert!(CommitHeader::new("x").parent_commit("abcde").is_ok());
}

#[tokio::test]
async fn large_regular_file_is_streamed_in_bounded_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    let data = pseudo_random(24 * 1024 * 1024 + 5, 11);
    std::fs::write(&path, &data).unwrap();
    let mut ops = vec![CommitOperation::from(
        CommitOperationAdd::from_path("big.txt", &path).unwrap(),
    )];
    hf_lfs::hash_additions(&mut ops).await.unwrap();
    let CommitOperation::Add(a) = &mut ops[0] else {
        unreachable!()
    };
    a.set_upload_mode(UploadMode::Regular);

    let (body, chunks) = render(&CommitHeader::new("big"), &ops).await;
    // The file is 24 MiB (32 MiB in base64); no chunk is more than 2 MiB, so the payload
    // never held the file whole.
    let max = chunks.iter().map(Bytes::len).max().unwrap();
    assert!(max <= 2 * 1024 * 1024, "largest chunk {max}");
    assert!(chunks.len() >= 16, "{} chunks", chunks.len());
    let line = body.lines().nth(1).unwrap();
    let content = line
        .strip_prefix(r#"{"key": "file", "value": {"content": ""#)
        .unwrap()
        .strip_suffix(r#"", "path": "big.txt", "encoding": "base64"}}"#)
        .unwrap();
    assert_eq!(BASE64.decode(content).unwrap(), data);
}

#[tokio::test]
async fn file_shrunk_after_hashing_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.txt");
    std::fs::write(&path, b"hello world").unwrap();
    let mut ops = vec![CommitOperation::from(
        CommitOperationAdd::from_path("f.txt", &path).unwrap(),
    )];
    hf_lfs::hash_additions(&mut ops).await.unwrap();
    let CommitOperation::Add(a) = &mut ops[0] else {
        unreachable!()
    };
    a.set_upload_mode(UploadMode::Regular);
    std::fs::write(&path, b"hello").unwrap();
    let payload = CommitPayload::new(&CommitHeader::new("x"), &ops).unwrap();
    let err = payload
        .into_stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(err, hf_lfs::Error::ContentChanged { .. }),
        "{err:?}"
    );
}
