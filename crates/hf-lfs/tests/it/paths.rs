//! `path_in_repo` normalisation and the operation constructors.

use hf_lfs::{
    CommitOperationAdd, CommitOperationCopy, CommitOperationDelete, Error, normalize_path_in_repo,
};

#[test]
fn normalisation_table() {
    // (input, allow trailing slash, expected normalised path or None when rejected)
    let table: &[(&str, bool, Option<&str>)] = &[
        ("config.json", false, Some("config.json")),
        ("a/b/c.bin", false, Some("a/b/c.bin")),
        ("/a.txt", false, Some("a.txt")),
        ("./a.txt", false, Some("a.txt")),
        ("/./a.txt", false, Some("a.txt")),
        ("..a/b..", false, Some("..a/b..")),
        (".gitattributes", false, Some(".gitattributes")),
        (".gitignore", false, Some(".gitignore")),
        ("a/.cache_dir/x", false, Some("a/.cache_dir/x")),
        ("sp ace/ü.txt", false, Some("sp ace/ü.txt")),
        ("folder/", true, Some("folder/")),
        ("/folder/", true, Some("folder/")),
        // rejected by the Python client
        (".", false, None),
        ("..", false, None),
        ("../a", false, None),
        ("/../a", false, None),
        (".git/config", false, None),
        ("a/.git", false, None),
        ("a/.cache/b", false, None),
        (".cache", true, None),
        // rejected by our stricter rules ([2.4.0] and RepoPath)
        ("a/../b", false, None),
        ("a/./b", false, None),
        ("", false, None),
        ("/", false, None),
        ("//a", false, None),
        ("a//b", false, None),
        ("folder/", false, None),
        ("folder//", true, None),
        ("a\\b", false, None),
        ("a\0b", false, None),
        ("./../a", false, None),
    ];
    for (input, trailing, expected) in table {
        let got = normalize_path_in_repo(input, *trailing);
        match (expected, got) {
            (Some(want), Ok(got)) => assert_eq!(&got, want, "input {input:?}"),
            (None, Err(Error::InvalidPath { path, .. })) => assert_eq!(&path, input),
            (want, got) => panic!("input {input:?}: expected {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn error_message_names_path_and_rule() {
    let err = normalize_path_in_repo("x/.git/y", false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid path_in_repo \"x/.git/y\": cannot update files under a '.git/' folder"
    );
}

#[test]
fn delete_auto_detects_folders() {
    let d = CommitOperationDelete::new("logs/").unwrap();
    assert!(d.is_folder());
    assert_eq!(d.path_in_repo(), "logs/");
    let d = CommitOperationDelete::new("/logs/a.txt").unwrap();
    assert!(!d.is_folder());
    assert_eq!(d.path_in_repo(), "logs/a.txt");
    let d = CommitOperationDelete::folder("logs").unwrap();
    assert!(d.is_folder());
    assert_eq!(d.path_in_repo(), "logs");
    assert!(CommitOperationDelete::file("logs/").is_err());
}

#[test]
fn add_from_path_requires_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = CommitOperationAdd::from_path("a.txt", dir.path()).unwrap_err();
    assert!(matches!(err, Error::NotAFile { .. }), "{err:?}");
    let missing = dir.path().join("missing");
    assert!(matches!(
        CommitOperationAdd::from_path("a.txt", &missing),
        Err(Error::NotAFile { .. })
    ));
    let file = dir.path().join("f");
    std::fs::write(&file, b"x").unwrap();
    let add = CommitOperationAdd::from_path("./sub/f.txt", &file).unwrap();
    assert_eq!(add.path_in_repo(), "sub/f.txt");
    assert_eq!(add.source().local_path(), Some(file.as_path()));
    assert!(add.upload_info().is_none());
}

#[test]
fn copy_normalises_both_paths() {
    let c = CommitOperationCopy::new("/a.bin", "./b/a.bin").unwrap();
    assert_eq!(c.src_path_in_repo(), "a.bin");
    assert_eq!(c.path_in_repo(), "b/a.bin");
    assert!(c.get_src_revision().is_none());
    assert!(CommitOperationCopy::new("a.bin", "../b").is_err());
    assert!(CommitOperationCopy::new(".git/x", "b").is_err());
}
