use std::path::Path;

use hf_cache::layout::{
    parse_repo_folder_name, pointer_target, relative_fs_path, repo_folder_name,
};
use hf_types::RepoType;

use crate::{etag, id};

#[test]
fn repo_folder_names_match_python() {
    assert_eq!(
        repo_folder_name(RepoType::Model, &id("gpt2")),
        "models--gpt2"
    );
    assert_eq!(
        repo_folder_name(RepoType::Model, &id("google/bert-base")),
        "models--google--bert-base"
    );
    assert_eq!(
        repo_folder_name(RepoType::Dataset, &id("user/my-ds")),
        "datasets--user--my-ds"
    );
    assert_eq!(
        repo_folder_name(RepoType::Space, &id("org/app")),
        "spaces--org--app"
    );
}

#[test]
fn repo_folder_names_parse_back() {
    assert_eq!(
        parse_repo_folder_name("datasets--google--fleurs"),
        Some((RepoType::Dataset, "google/fleurs".to_owned()))
    );
    assert_eq!(
        parse_repo_folder_name("models--gpt2"),
        Some((RepoType::Model, "gpt2".to_owned()))
    );
    assert_eq!(
        parse_repo_folder_name("kernels--kernels-community--activation"),
        Some((RepoType::Kernel, "kernels-community/activation".to_owned()))
    );
    assert_eq!(parse_repo_folder_name("buckets--a--b"), None);
    assert_eq!(parse_repo_folder_name("no-separator"), None);
}

#[test]
fn pointer_targets_are_relative_with_the_right_depth() {
    let e = etag("0123abcd");
    assert_eq!(
        pointer_target(Path::new("config.json"), &e),
        Path::new("../../blobs/0123abcd")
    );
    assert_eq!(
        pointer_target(Path::new("sub/w.bin"), &e),
        Path::new("../../../blobs/0123abcd")
    );
    assert_eq!(
        pointer_target(Path::new("a/b/c.bin"), &e),
        Path::new("../../../../blobs/0123abcd")
    );
}

#[test]
fn unsafe_repo_paths_and_revisions_are_refused() {
    assert_eq!(
        relative_fs_path("refs/pr/1").unwrap(),
        Path::new("refs").join("pr").join("1")
    );
    for bad in [
        "",
        "../x",
        "a/../../x",
        "/etc/passwd",
        "a//b",
        "a/./b",
        "a/",
        "nul\0byte",
    ] {
        let err = relative_fs_path(bad).unwrap_err();
        assert!(
            matches!(err, hf_cache::Error::UnsafePath { .. }),
            "{bad:?}: {err}"
        );
        assert!(err.to_string().contains("inside the cache"), "{err}");
    }
}

#[test]
fn etags_that_would_shadow_partial_files_are_refused() {
    let cache = hf_cache::HfCache::new("/nonexistent");
    let repo = cache.repo(RepoType::Model, &id("gpt2"));
    let err = repo.blob_path(&etag("abc.incomplete")).unwrap_err();
    assert!(matches!(err, hf_cache::Error::InvalidEtag { .. }), "{err}");
    assert_eq!(
        repo.blob_path(&etag("abc")).unwrap(),
        Path::new("/nonexistent/models--gpt2/blobs/abc")
    );
    assert_eq!(
        repo.incomplete_path(&etag("abc")).unwrap(),
        Path::new("/nonexistent/models--gpt2/blobs/abc.incomplete")
    );
    assert_eq!(
        repo.lock_path(&etag("abc")).unwrap(),
        Path::new("/nonexistent/.locks/models--gpt2/abc.lock")
    );
}
