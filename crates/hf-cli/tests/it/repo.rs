//! `hf repo ...`, `hf ls`, `hf info` against the emulator.

use hf_testhub::RepoType;

use crate::{ALICE_TOKEN, Sandbox, hub};

fn alice(hub: &hf_testhub::TestHub) -> Sandbox {
    let mut sb = Sandbox::new(&hub.url());
    sb.set("HF_TOKEN", ALICE_TOKEN);
    sb
}

#[test]
fn create_settings_move_and_delete() {
    let hub = hub();
    let sb = alice(&hub);
    let url = sb.run(&["repo", "create", "alice/new-model"]);
    assert_eq!(url.ok(), format!("{}/alice/new-model\n", hub.url()));
    let again = sb.run(&["repo", "create", "alice/new-model"]);
    assert!(again.err_line().contains("409"), "{again:#?}");
    sb.run(&["repo", "create", "alice/new-model", "--exist-ok"])
        .ok();
    let ds = sb.run(&[
        "repo",
        "create",
        "alice/data",
        "--repo-type",
        "dataset",
        "--private",
    ]);
    assert_eq!(ds.ok(), format!("{}/datasets/alice/data\n", hub.url()));

    sb.run(&["repo", "settings", "alice/new-model", "--private", "true"])
        .ok();
    // Private now: anonymous access is refused.
    let anon = Sandbox::new(&hub.url());
    assert!(
        anon.run(&["info", "alice/new-model"])
            .err_line()
            .contains("not found")
    );
    assert!(
        sb.run(&["repo", "settings", "alice/new-model"])
            .err_line()
            .contains("--private")
    );

    sb.run(&["repo", "move", "alice/new-model", "alice/renamed"])
        .ok();
    let info = sb.run(&["info", "alice/renamed"]);
    let json: serde_json::Value = serde_json::from_str(info.ok()).unwrap();
    assert_eq!(json["id"], "alice/renamed");
    assert_eq!(json["private"], true);

    let refused = sb.run(&["repo", "delete", "alice/renamed"]);
    assert!(refused.err_line().contains("--yes"), "{refused:#?}");
    sb.run(&["repo", "delete", "alice/renamed", "--yes"]).ok();
    assert!(
        sb.run(&["info", "alice/renamed"])
            .err_line()
            .contains("repository not found")
    );
    sb.run(&["repo", "delete", "alice/renamed", "--yes", "--missing-ok"])
        .ok();
}

#[test]
fn tags_and_branches() {
    let hub = hub();
    hub.create_repo(RepoType::Model, "alice/tiny", false)
        .unwrap();
    hub.upload_file(RepoType::Model, "alice/tiny", "main", "a.txt", b"a")
        .unwrap();
    let sb = alice(&hub);
    sb.run(&["repo", "tag", "create", "alice/tiny", "v1", "-m", "first"])
        .ok();
    sb.run(&[
        "repo",
        "branch",
        "create",
        "alice/tiny",
        "dev",
        "--revision",
        "v1",
    ])
    .ok();
    sb.run(&[
        "repo",
        "tag",
        "create",
        "alice/tiny",
        "v0",
        "--revision",
        "dev",
    ])
    .ok();
    assert_eq!(
        sb.run(&["repo", "tag", "list", "alice/tiny"]).ok(),
        "v0\nv1\n"
    );
    let dup = sb.run(&["repo", "tag", "create", "alice/tiny", "v1"]);
    assert!(dup.err_line().contains("409"), "{dup:#?}");
    sb.run(&["repo", "tag", "delete", "alice/tiny", "v0", "-y"])
        .ok();
    assert_eq!(sb.run(&["repo", "tag", "list", "alice/tiny"]).ok(), "v1\n");
    sb.run(&["repo", "branch", "delete", "alice/tiny", "dev"])
        .ok();
    let gone = sb.run(&["ls", "alice/tiny", "--revision", "dev"]);
    assert!(gone.err_line().contains("revision not found"), "{gone:#?}");
}

#[test]
fn ls_lists_the_tree() {
    let hub = hub();
    hub.create_repo(RepoType::Model, "alice/tiny", false)
        .unwrap();
    hub.upload_file(RepoType::Model, "alice/tiny", "main", "config.json", b"{}")
        .unwrap();
    hub.upload_file(
        RepoType::Model,
        "alice/tiny",
        "main",
        "sub/w.bin",
        &[1u8; 1234],
    )
    .unwrap();
    let sb = alice(&hub);
    let top = sb.run(&["ls", "alice/tiny"]);
    let lines: Vec<&str> = top.ok().lines().map(str::trim_start).collect();
    assert!(lines.contains(&"2  config.json"), "{lines:?}");
    assert!(lines.contains(&"-  sub/"), "{lines:?}");
    let sub = sb.run(&["ls", "alice/tiny", "sub", "-R"]);
    assert!(
        sub.ok().trim_start().starts_with("1234  sub/w.bin"),
        "{sub:#?}"
    );
}
